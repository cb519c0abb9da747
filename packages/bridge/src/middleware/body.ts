/**
 * JSON body parsing, tolerant of what 1C's HTTPСоединение sends, strict about size. A small middleware of our own
 * rather than @koa/bodyparser: co-body's JSON parser rejects a body that starts with a UTF-8 BOM (1C's
 * ЗаписьJSON/ЗаписьТекста write one unless told not to) and knows only UTF-8 and a few charsets, and we want our
 * own error codes and Russian messages.
 *
 * - Content-Type: `application/json`, any `application/*+json`, `text/plain` (what many HTTP clients, 1C's among
 *   them, send for a body set from a string when nobody set the header) or none at all; anything else → 415.
 * - charset: any label of the WHATWG Encoding Standard (`utf-8`, `UTF-8`, `utf8`, `windows-1251`, …) or none
 *   (UTF-8); an unknown one → 415; bytes that are not valid in it → 400.
 * - A leading BOM is dropped. Invalid JSON → 400 `BAD_JSON` with the position — never the parser's message, which
 *   quotes the body (and so, perhaps, a password).
 * - More than `limit` bytes → 413, decided from Content-Length before reading when it is sent, else while reading.
 */
import type { Middleware } from "koa";
import { HttpError } from "../errors.js";
import type { BridgeState } from "../state.js";

const JSON_TYPE = /^(?:application\/(?:[\w.+-]+\+)?json|text\/plain)$/i;
const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "PAYLOAD_TOO_LARGE", `Тело запроса больше ${limit} байт`, { limitBytes: limit }, { Connection: "close" });
}

export function bodyParser(options: { limitBytes: number }): Middleware<BridgeState> {
  const limit = options.limitBytes;
  return async (ctx, next) => {
    if (!METHODS_WITH_BODY.has(ctx.method)) return next();
    const contentType = ctx.get("content-type");
    const [mediaType = "", ...params] = contentType.split(";").map((p) => p.trim());
    if (mediaType !== "" && !JSON_TYPE.test(mediaType)) {
      throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `Тело запроса должно быть JSON (application/json), а не ${mediaType}`, { contentType: mediaType });
    }
    const charsetParam = params.find((p) => /^charset\s*=/i.test(p));
    const charset = charsetParam
      ? charsetParam
          .slice(charsetParam.indexOf("=") + 1)
          .trim()
          .replace(/^"|"$/g, "")
      : "utf-8";
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset, { fatal: true, ignoreBOM: false });
    } catch {
      throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `Неизвестная кодировка тела запроса: ${charset}; используйте UTF-8`, { charset });
    }
    const declared = Number(ctx.get("content-length") || "NaN");
    if (Number.isFinite(declared) && declared > limit) {
      ctx.req.resume(); // let the client finish sending, so it can read our answer
      throw tooLarge(limit);
    }
    const raw = await readLimited(ctx.req, limit);
    let text: string;
    try {
      // TextDecoder drops a BOM of its own encoding (ignoreBOM: false); the replace catches a BOM that survived a
      // re-encoding (UTF-8 BOM bytes declared as another charset arrive as U+FEFF or mojibake we cannot fix).
      text = decoder.decode(raw).replace(/^\uFEFF/, "");
    } catch {
      throw new HttpError(400, "BAD_ENCODING", `Тело запроса не является текстом в кодировке ${charset}`, { charset });
    }
    if (text.trim() === "") {
      ctx.state.body = undefined;
      return next();
    }
    try {
      ctx.state.body = JSON.parse(text) as unknown;
    } catch (error) {
      const at = /position (\d+)/.exec(error instanceof Error ? error.message : "");
      const position = at ? Number(at[1]) : undefined;
      const where = position === undefined ? "" : ` (символ ${position + 1}${lineColumn(text, position)})`;
      throw new HttpError(400, "BAD_JSON", `Тело запроса — не JSON${where}`, position === undefined ? {} : { position });
    }
    ctx.state.redactor.addFromRequest(ctx.state.body);
    return next();
  };
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `, строка ${line}, столбец ${column}`;
}

/**
 * Reads the request stream up to `limit` bytes. Past the limit it stops keeping data but goes on draining the
 * stream (not destroying it, as leaving a `for await` would), so the client gets our 413 instead of a reset.
 */
function readLimited(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const cleanup = () => {
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onError);
    };
    const onEnd = () => {
      cleanup();
      if (!over) resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      if (!over) reject(new HttpError(400, "BAD_REQUEST", "Тело запроса не получено полностью", { cause: error.message }));
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
  });
}
