/**
 * The part of resource.Quantity (k8s.io/apimachinery/pkg/api/resource) the autoscaler needs: a quantity's
 * MilliValue (rounded up, as Go rounds it) and a milli amount written the way Quantity.String() writes it
 * (`250m`, `1`, `1500m`, `2k` in DecimalSI; `100Mi` in BinarySI, falling back to DecimalSI when not whole bytes).
 */

type Base = 2 | 10;

const SUFFIXES: Readonly<Record<string, readonly [Base, number]>> = {
  "": [10, 0],
  n: [10, -9],
  u: [10, -6],
  m: [10, -3],
  k: [10, 3],
  M: [10, 6],
  G: [10, 9],
  T: [10, 12],
  P: [10, 15],
  E: [10, 18],
  Ki: [2, 10],
  Mi: [2, 20],
  Gi: [2, 30],
  Ti: [2, 40],
  Pi: [2, 50],
  Ei: [2, 60],
};

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const pow = (base: bigint, exp: number): bigint => base ** BigInt(exp);

/** ceil(quantity × 1000), or undefined when the text is not a quantity. */
export function milliValue(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const [, sign, whole, fraction = "", suffix = ""] = m;
  const [base, exp] = /^[eE]/.test(suffix) ? ([10, Number(suffix.slice(1))] as const) : (SUFFIXES[suffix] ?? [10, 0]);
  let numerator = BigInt(`${whole}${fraction}` || "0") * 1000n;
  let denominator = pow(10n, fraction.length);
  if (base === 2) numerator *= pow(2n, exp);
  else if (exp >= 0) numerator *= pow(10n, exp);
  else denominator *= pow(10n, -exp);
  const ceil = (numerator + denominator - 1n) / denominator;
  // ceil(−x) = −floor(x).
  return Number(sign === "-" ? -(numerator / denominator) : ceil);
}

const DECIMAL_SUFFIX: Readonly<Record<number, string>> = { [-9]: "n", [-6]: "u", [-3]: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };
const BINARY_SUFFIX = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** `resource.NewMilliQuantity(milli, format).String()`. */
export function formatMilli(milli: number, format: "DecimalSI" | "BinarySI" = "DecimalSI"): string {
  if (milli === 0) return "0";
  let amount = BigInt(milli);
  const magnitude = amount < 0n ? -amount : amount;
  if (format === "BinarySI" && magnitude >= 1024000n && amount % 1000n === 0n) {
    amount /= 1000n;
    let exp = 0;
    while (amount % 1024n === 0n && exp < BINARY_SUFFIX.length - 1) {
      amount /= 1024n;
      exp++;
    }
    return `${amount}${BINARY_SUFFIX[exp]}`;
  }
  let exp = -3;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exp++;
  }
  // The exponent goes down to a multiple of 3 (Go's AsCanonicalBytes).
  const over = ((exp % 3) + 3) % 3;
  amount *= pow(10n, over);
  exp -= over;
  return `${amount}${DECIMAL_SUFFIX[exp] ?? `e${exp}`}`;
}
