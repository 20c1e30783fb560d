// The API's rejection reasons name their field ("container_no: bad ISO 6346 check digit 3 (expected 2);
// voyage: ..."): split them so that each is shown next to its field.

const OWN_WORDS = [ // reasons of the portal's own checks that start with the thing they are about
  [/^container [A-Z0-9]+: /, "container_no"],
  [/^declaration [A-Z0-9]+ /, "declaration_no"],
];

/** `{field: [message...]}` from a rejection's reasons; what names no field is under "". */
export function reasonsByField(reasons, fields) {
  const found = {};
  const add = (field, message) => { (found[field] = found[field] || []).push(message); };
  for (const reason of reasons || []) {
    for (const part of String(reason).split("; ")) {
      const own = OWN_WORDS.find(([pattern]) => pattern.test(part));
      if (own) { add(fields.includes(own[1]) ? own[1] : "", part); continue; }
      const match = part.match(/^([a-z_]+)(?:\.[^:]*)?: (.*)$/s);
      if (match && fields.includes(match[1])) add(match[1], match[2]);
      else add("", part);
    }
  }
  return found;
}
