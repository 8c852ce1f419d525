/**
 * The one comparison of a presented token with the server's, for the API's header, the
 * dashboard's login and its cookie. Both sides are hashed and every character compared whatever
 * differs, so its time tells a guesser nothing about how much of a guess was right.
 */
import { timingSafeEqual } from "hono/utils/buffer";

export const sameToken = (given: string | undefined, token: string): Promise<boolean> =>
  timingSafeEqual(given ?? "", token);
