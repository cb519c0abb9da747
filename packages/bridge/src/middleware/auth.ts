/**
 * Bearer-token authentication. Both tokens are hashed (SHA-256) and the digests compared with
 * `crypto.timingSafeEqual`: equal-length inputs, so neither the comparison's time nor an early length check tells
 * an attacker how much of a guess was right. Health checks and the OpenAPI document are public — for GET and HEAD
 * only: any other method on them needs the token like everything else, so nobody unauthenticated can make the
 * bridge read a body.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import { HttpError } from "../errors.js";
import type { BridgeState } from "../state.js";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export function bearerAuth(token: string, publicPaths: ReadonlySet<string>): Middleware<BridgeState> {
  const expected = digest(token);
  return async (ctx, next) => {
    if ((ctx.method === "GET" || ctx.method === "HEAD") && publicPaths.has(ctx.path)) return next();
    const header = ctx.get("authorization");
    const challenge = { "WWW-Authenticate": 'Bearer realm="sreda"' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new HttpError(401, "UNAUTHORIZED", "Нужен токен моста: заголовок Authorization: Bearer <токен>", {}, challenge);
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpError(401, "UNAUTHORIZED", "Токен моста неверен", {}, { ...challenge, "WWW-Authenticate": 'Bearer realm="sreda", error="invalid_token"' });
    }
    return next();
  };
}
