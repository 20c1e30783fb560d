// ISO 6346 container numbers, checked as events/identifiers.py checks them (python-stdnum's iso6346):
// 3 owner letters, U/J/Z, 6 digits and a check digit. tests/browser/test_terminal_iso6346.py compares
// both on many numbers.

const FORM = /^[A-Z]{3}[UJZ][0-9]{6}$/;
const LETTER_VALUES = "0123456789A BCDEFGHIJK LMNOPQRSTU VWXYZ"; // a value per position, multiples of 11 skipped

/** The check digit of the first 10 characters ("CICU378992" -> "2"). */
export function checkDigit(first10) {
  let sum = 0;
  for (let i = 0; i < 10; i += 1) sum += LETTER_VALUES.indexOf(first10[i]) * 2 ** i;
  return String((sum % 11) % 10);
}

/**
 * What is wrong with a container number as typed, or null when it is valid. `{problem: "form"}` while it
 * is not 3 letters, U/J/Z and 6 digits yet; `{problem: "check", expected, suggestion}` when only the 11th
 * character is wrong or missing (suggestion: the number with the right check digit).
 */
export function containerProblem(text) {
  const value = String(text || "").trim().toUpperCase();
  if (!FORM.test(value.slice(0, 10)) || value.length > 11) return { problem: "form" };
  const expected = checkDigit(value);
  if (value[10] === expected) return null;
  return { problem: "check", expected, suggestion: value.slice(0, 10) + expected, given: value[10] || "" };
}
