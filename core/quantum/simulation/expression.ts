/**
 * Gate parameters as circuits write them (`pi/4`, `-0.5*PI`, `1.5708`, `2*pi/3`, `(pi)/2`): numbers,
 * `pi`, `+ - * /`, unary minus and parentheses. Anything else is refused, never evaluated as code.
 */
const TOKEN = /\s*(?:(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|(pi|π)|([-+*/()]))/iy;

/** The value of `text`, or undefined when it is not such an expression. */
export function evaluateParameter(text: string): number | undefined {
  const tokens: (number | string)[] = [];
  TOKEN.lastIndex = 0;
  const source = text.trim();
  while (TOKEN.lastIndex < source.length) {
    const match = TOKEN.exec(source);
    if (!match) return undefined;
    if (match[1] !== undefined) tokens.push(Number(match[1]));
    else if (match[2] !== undefined) tokens.push(Math.PI);
    else tokens.push(match[3]!);
  }
  let at = 0;
  // expression := term (('+' | '-') term)*; term := factor (('*' | '/') factor)*; factor := '-' factor | '+' factor | number | '(' expression ')'
  const expression = (): number | undefined => {
    let value = term();
    while (value !== undefined && (tokens[at] === "+" || tokens[at] === "-")) {
      const op = tokens[at++];
      const right = term();
      if (right === undefined) return undefined;
      value = op === "+" ? value + right : value - right;
    }
    return value;
  };
  const term = (): number | undefined => {
    let value = factor();
    while (value !== undefined && (tokens[at] === "*" || tokens[at] === "/")) {
      const op = tokens[at++];
      const right = factor();
      if (right === undefined) return undefined;
      value = op === "*" ? value * right : value / right;
    }
    return value;
  };
  const factor = (): number | undefined => {
    const token = tokens[at++];
    if (typeof token === "number") return token;
    if (token === "-") {
      const value = factor();
      return value === undefined ? undefined : -value;
    }
    if (token === "+") return factor();
    if (token === "(") {
      const value = expression();
      return tokens[at++] === ")" ? value : undefined;
    }
    return undefined;
  };
  const value = expression();
  return at === tokens.length && value !== undefined && Number.isFinite(value) ? value : undefined;
}
