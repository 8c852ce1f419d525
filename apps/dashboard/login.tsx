/** Where a person enters the server's token once; it is kept in a cookie only this site sends. */
export function LoginPage(props: { failed: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · uniqc tasks</title>
        <link rel="stylesheet" href="/ui/style.css" />
      </head>
      <body>
        <main>
          <h1>uniqc tasks</h1>
          <form method="post" action="/ui/login" class="actions">
            <label>
              token
              <input type="password" name="token" autocomplete="current-password" required autofocus />
            </label>
            <button type="submit">Open the dashboard</button>
          </form>
          {props.failed && (
            <p class="error" role="alert">
              That is not the server's token.
            </p>
          )}
        </main>
      </body>
    </html>
  );
}
