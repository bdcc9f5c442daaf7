/** The market's identifier formats, as the API checks them (libs/engine wfm_engine/checks.py,
 * ported exactly): a form says at once what the server would refuse. */

const SEPARATORS = /[\s.\-/]/g;

function compact(value: string): string {
  return value.replace(SEPARATORS, "");
}

function isDigits(value: string): boolean {
  return /^[0-9]+$/.test(value);
}

/** `BE 0123.456.749` -> `BE0123456749`; anything else stripped and upper-cased. */
export function normalizeBelgianVat(value: string): string {
  let result = compact(value).toUpperCase();
  if (isDigits(result) && (result.length === 9 || result.length === 10)) {
    result = "BE" + result.padStart(10, "0");
  }
  return result;
}

/** Ten digits, starting with 0 or 1, whose last two are 97 - (first eight mod 97). */
export function isBelgianEnterpriseNumber(value: string): boolean {
  let digits = compact(value);
  if (digits.length === 9) digits = "0" + digits;
  if (digits.length !== 10 || !isDigits(digits) || !"01".includes(digits.charAt(0))) return false;
  return 97 - (Number(digits.slice(0, 8)) % 97) === Number(digits.slice(8));
}

/** `BE` followed by a valid enterprise number (spaces, dots and dashes allowed). */
export function isBelgianVatNumber(value: string): boolean {
  const normalized = normalizeBelgianVat(value);
  return normalized.startsWith("BE") && isBelgianEnterpriseNumber(normalized.slice(2));
}

/** GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body. */
export function gs1CheckDigit(body: string): number {
  let total = 0;
  for (let index = 0; index < body.length; index += 1) {
    total += Number(body.charAt(body.length - 1 - index)) * (index % 2 === 0 ? 3 : 1);
  }
  return (10 - (total % 10)) % 10;
}

/** EAN-18 / GSRN of an access or delivery point: 18 digits with a GS1 check digit. */
export function isEan18(value: string): boolean {
  const digits = value.split(/\s+/).join("");
  return digits.length === 18 && isDigits(digits) && gs1CheckDigit(digits.slice(0, 17)) === Number(digits.charAt(17));
}

const EIC_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-";
const EIC_SHAPE = /^[0-9]{2}[A-Z0-9][A-Z0-9-]{12}[A-Z0-9]$/;

/** ENTSO-E EIC check character: weights 16..2 over the first 15 characters, mod 37. */
export function eicCheckCharacter(first15: string): string {
  let total = 0;
  for (let index = 0; index < first15.length; index += 1) {
    total += EIC_ALPHABET.indexOf(first15.charAt(index)) * (16 - index);
  }
  // Python's % is never negative; total >= 0 here, so (total - 1) % 37 is >= -1
  const remainder = (((total - 1) % 37) + 37) % 37;
  return EIC_ALPHABET.charAt(36 - remainder);
}

/** A 16-character ENTSO-E Energy Identification Code with its check character. */
export function isEic(value: string): boolean {
  const code = value.trim().toUpperCase();
  if (!EIC_SHAPE.test(code)) return false;
  return eicCheckCharacter(code.slice(0, 15)) === code.charAt(15);
}

/** The formats our step schemas use beyond JSON Schema's own, by their `format` name. */
export const MARKET_FORMATS = {
  "be-vat": isBelgianVatNumber,
  "be-enterprise-number": isBelgianEnterpriseNumber,
  ean18: isEan18,
  eic: isEic,
} as const satisfies Record<string, (value: string) => boolean>;

export type MarketFormat = keyof typeof MARKET_FORMATS;

export function isMarketFormat(name: unknown): name is MarketFormat {
  return typeof name === "string" && Object.hasOwn(MARKET_FORMATS, name);
}
