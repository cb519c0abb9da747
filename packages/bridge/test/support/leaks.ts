/**
 * The secret-leak scanner: every log line, every answer of the bridge (less the one field meant to carry secrets,
 * `operation.secrets`), every operation record and journal line a test produced is searched for the secret values
 * it used. One hit fails the test file.
 */
import { expect } from "vitest";

export class LeakScanner {
  private readonly secrets = new Set<string>();
  private readonly texts: Array<{ where: string; text: string }> = [];

  /** A value that must never appear (and its base64 form, as Secrets hold it). */
  secret(...values: Array<string | undefined>): this {
    for (const value of values) {
      if (!value || value.length < 6) continue;
      this.secrets.add(value);
      this.secrets.add(Buffer.from(value, "utf8").toString("base64"));
      if (value.includes("-----BEGIN")) for (const line of value.split("\n")) if (line.length >= 32 && !line.startsWith("-----")) this.secrets.add(line);
    }
    return this;
  }

  /** Something the bridge produced. */
  record(where: string, text: string): void {
    this.texts.push({ where, text });
  }

  /** An answer body: the operation's `secrets` field is the one legitimate carrier, and is learnt, not scanned. */
  recordResponse(where: string, text: string): void {
    let scanned = text;
    try {
      const body = JSON.parse(text) as { operation?: { secrets?: Record<string, string> } };
      if (body.operation?.secrets) {
        this.secret(...Object.values(body.operation.secrets));
        delete body.operation.secrets;
        scanned = JSON.stringify(body);
      }
    } catch {
      // not JSON: scanned as it is
    }
    this.record(where, scanned);
  }

  get scannedCount(): number {
    return this.texts.length;
  }

  /** Fails with every place a secret appeared. */
  expectClean(): void {
    const hits: string[] = [];
    for (const { where, text } of this.texts) {
      for (const secret of this.secrets) {
        if (text.includes(secret)) hits.push(`${where}: contains a secret (${secret.slice(0, 4)}…, ${secret.length} chars)`);
      }
    }
    expect(hits).toEqual([]);
  }
}
