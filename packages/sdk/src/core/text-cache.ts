/** Pure-core caches of work derived from text (compiled templates, parsed macros). */
/**
 * A cache keyed by text, bounded in entries and in the characters it keeps, so that requests full of distinct
 * large templates cannot grow the process: when either bound is reached it starts again from empty.
 */
export class TextCache<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly maxChars = 16 * 1024 * 1024,
  ) {}

  get(text: string): V | undefined {
    return this.entries.get(text);
  }

  set(text: string, value: V): void {
    if (this.entries.size >= this.maxEntries || this.chars + text.length > this.maxChars) {
      this.entries.clear();
      this.chars = 0;
    }
    this.entries.set(text, value);
    this.chars += text.length;
  }
}
