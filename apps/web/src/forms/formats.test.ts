import { describe, expect, it } from "vitest";
import { isBelgianEnterpriseNumber, isBelgianVatNumber, isEan18, isEic, normalizeBelgianVat } from "./formats";

// The same examples as libs/engine/tests/test_checks.py: the form and the API agree.
describe("be-vat: a Belgian VAT number", () => {
  it.each(["BE0477472701", "BE 0403.170.701", "be0203201340", "0417.497.106", "BE0456789034"])(
    "accepts %s",
    (value) => {
      expect(isBelgianVatNumber(value)).toBe(true);
    },
  );

  it.each(["BE0477472702", "BE2477472701", "NL0477472701", "BE047747270", "", "BE04774727O1"])(
    "refuses %j",
    (value) => {
      expect(isBelgianVatNumber(value)).toBe(false);
    },
  );

  it("accepts the old nine-digit enterprise number", () => {
    expect(isBelgianEnterpriseNumber("477472701")).toBe(true);
  });

  it("normalises to the stored spelling", () => {
    expect(normalizeBelgianVat("BE 0456.789.034")).toBe("BE0456789034");
    expect(normalizeBelgianVat("be0456789034")).toBe("BE0456789034");
  });
});

describe("ean18: the GSRN of an access point", () => {
  it.each(["541449889999999990", "541449200000000014", "541449011000000016", " 541449 8899 9999 9990 "])(
    "accepts %j",
    (value) => {
      expect(isEan18(value)).toBe(true);
    },
  );

  it.each(["541449889999999991", "54144988999999999", "54144988999999999X"])("refuses %s", (value) => {
    expect(isEan18(value)).toBe(false);
  });
});

describe("eic: an ENTSO-E Energy Identification Code", () => {
  it.each(["10YBE----------2", "10YFR-RTE------C", "10YNL----------L", "10X1001A1001A094"])(
    "accepts %j",
    (value) => {
      expect(isEic(value)).toBe(true);
    },
  );

  it.each(["10YBE----------3", "10YBE---------2", "1OYBE----------2", "10YBE----------"])("refuses %s", (value) => {
    expect(isEic(value)).toBe(false);
  });
});
