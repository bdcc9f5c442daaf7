import { customizeValidator } from "@rjsf/validator-ajv8";
import { MARKET_FORMATS } from "./formats";

/** JSON Schema validation of step data in the browser: ajv with the market's formats
 * (be-vat, be-enterprise-number, ean18, eic) beside the standard ones (email, date). */
export const stepValidator = customizeValidator({ customFormats: { ...MARKET_FORMATS } });
