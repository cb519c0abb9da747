// Emitters of the Designer dump format 2.16 (platform 8.3.23), copied in form — never in uuids — from the platform's
// own files in ../shared/onec-reference. Used by generate-dump.mjs once; the dump it wrote is the source since.
import { createHash } from "node:crypto";

export const FORMAT_VERSION = "2.16";
export const COMPATIBILITY_MODE = "Version8_3_23";

/** A stable uuid (RFC 4122 version 5 layout) for a metadata path, so regenerating writes the same ids. */
export function uuidFor(key) {
  const h = createHash("sha1").update(`sreda-onec/${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const NS_MD =
  'xmlns="http://v8.1c.ru/8.3/MDClasses" xmlns:app="http://v8.1c.ru/8.2/managed-application/core" xmlns:cfg="http://v8.1c.ru/8.1/data/enterprise/current-config" xmlns:cmi="http://v8.1c.ru/8.2/managed-application/cmi" xmlns:ent="http://v8.1c.ru/8.1/data/enterprise" xmlns:lf="http://v8.1c.ru/8.2/managed-application/logform" xmlns:style="http://v8.1c.ru/8.1/data/ui/style" xmlns:sys="http://v8.1c.ru/8.1/data/ui/fonts/system" xmlns:v8="http://v8.1c.ru/8.1/data/core" xmlns:v8ui="http://v8.1c.ru/8.1/data/ui" xmlns:web="http://v8.1c.ru/8.1/data/ui/colors/web" xmlns:win="http://v8.1c.ru/8.1/data/ui/colors/windows" xmlns:xen="http://v8.1c.ru/8.3/xcf/enums" xmlns:xpr="http://v8.1c.ru/8.3/xcf/predef" xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const NS_FORM =
  'xmlns="http://v8.1c.ru/8.3/xcf/logform" xmlns:app="http://v8.1c.ru/8.2/managed-application/core" xmlns:cfg="http://v8.1c.ru/8.1/data/enterprise/current-config" xmlns:dcscor="http://v8.1c.ru/8.1/data-composition-system/core" xmlns:dcssch="http://v8.1c.ru/8.1/data-composition-system/schema" xmlns:dcsset="http://v8.1c.ru/8.1/data-composition-system/settings" xmlns:ent="http://v8.1c.ru/8.1/data/enterprise" xmlns:lf="http://v8.1c.ru/8.2/managed-application/logform" xmlns:style="http://v8.1c.ru/8.1/data/ui/style" xmlns:sys="http://v8.1c.ru/8.1/data/ui/fonts/system" xmlns:v8="http://v8.1c.ru/8.1/data/core" xmlns:v8ui="http://v8.1c.ru/8.1/data/ui" xmlns:web="http://v8.1c.ru/8.1/data/ui/colors/web" xmlns:win="http://v8.1c.ru/8.1/data/ui/colors/windows" xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** Lines → file text as the platform writes it: BOM, CRLF, no newline after the last line. */
export function fileText(lines) {
  return "\ufeff" + lines.flat(Infinity).join("\r\n");
}

export function mdDocument(body) {
  return fileText(['<?xml version="1.0" encoding="UTF-8"?>', `<MetaDataObject ${NS_MD} version="${FORMAT_VERSION}">`, body, "</MetaDataObject>"]);
}

export function formDocument(body) {
  return fileText(['<?xml version="1.0" encoding="UTF-8"?>', `<Form ${NS_FORM} version="${FORMAT_VERSION}">`, body, "</Form>"]);
}

const tabs = (n) => "\t".repeat(n);

/** Multilingual text (ru only) as a list of lines at indentation `n`, or a self-closing tag when empty. */
export function ml(tag, text, n) {
  if (!text) return [`${tabs(n)}<${tag}/>`];
  return [
    `${tabs(n)}<${tag}>`,
    `${tabs(n + 1)}<v8:item>`,
    `${tabs(n + 2)}<v8:lang>ru</v8:lang>`,
    `${tabs(n + 2)}<v8:content>${esc(text)}</v8:content>`,
    `${tabs(n + 1)}</v8:item>`,
    `${tabs(n)}</${tag}>`,
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Types. A type is { kinds: [...], str?, num?, date? }; composite types list several kinds.

export const T = {
  str: (length = 0) => ({ kinds: ["xs:string"], str: length }),
  num: (digits, fraction = 0, nonNegative = true) => ({ kinds: ["xs:decimal"], num: { digits, fraction, nonNegative } }),
  bool: () => ({ kinds: ["xs:boolean"] }),
  dateTime: () => ({ kinds: ["xs:dateTime"], date: "DateTime" }),
  ref: (...names) => ({ kinds: names.map((n) => `cfg:${n}`) }),
};

export function typeLines(type, n) {
  const out = [];
  for (const k of type.kinds) out.push(`${tabs(n)}<v8:Type>${k}</v8:Type>`);
  if (type.num) {
    out.push(
      `${tabs(n)}<v8:NumberQualifiers>`,
      `${tabs(n + 1)}<v8:Digits>${type.num.digits}</v8:Digits>`,
      `${tabs(n + 1)}<v8:FractionDigits>${type.num.fraction}</v8:FractionDigits>`,
      `${tabs(n + 1)}<v8:AllowedSign>${type.num.nonNegative ? "Nonnegative" : "Any"}</v8:AllowedSign>`,
      `${tabs(n)}</v8:NumberQualifiers>`,
    );
  }
  if (type.str !== undefined) {
    out.push(
      `${tabs(n)}<v8:StringQualifiers>`,
      `${tabs(n + 1)}<v8:Length>${type.str}</v8:Length>`,
      `${tabs(n + 1)}<v8:AllowedLength>Variable</v8:AllowedLength>`,
      `${tabs(n)}</v8:StringQualifiers>`,
    );
  }
  if (type.date) {
    out.push(`${tabs(n)}<v8:DateQualifiers>`, `${tabs(n + 1)}<v8:DateFractions>${type.date}</v8:DateFractions>`, `${tabs(n)}</v8:DateQualifiers>`);
  }
  return out;
}

function fillValue(type) {
  if (type.kinds.length !== 1) return '<FillValue xsi:nil="true"/>';
  const k = type.kinds[0];
  if (k === "xs:string") return '<FillValue xsi:type="xs:string"/>';
  if (k === "xs:boolean") return '<FillValue xsi:type="xs:boolean">false</FillValue>';
  if (k === "xs:decimal") return '<FillValue xsi:type="xs:decimal">0</FillValue>';
  return '<FillValue xsi:nil="true"/>';
}

/**
 * One attribute-like child (catalog attribute, tabular-section attribute, register dimension/resource/attribute).
 * `role`: "attribute" | "tsAttribute" | "dimension" | "resource" | "registerAttribute".
 */
export function fieldObject(tag, role, key, f, n) {
  const p = tabs(n + 2);
  const lines = [
    `${tabs(n)}<${tag} uuid="${uuidFor(key)}">`,
    `${tabs(n + 1)}<Properties>`,
    `${p}<Name>${f.name}</Name>`,
    ...ml("Synonym", f.title, n + 2),
    `${p}<Comment/>`,
    `${p}<Type>`,
    ...typeLines(f.type, n + 3),
    `${p}</Type>`,
    `${p}<PasswordMode>false</PasswordMode>`,
    `${p}<Format/>`,
    `${p}<EditFormat/>`,
    ...ml("ToolTip", f.tooltip, n + 2),
    `${p}<MarkNegatives>false</MarkNegatives>`,
    `${p}<Mask/>`,
    `${p}<MultiLine>${f.multiLine ? "true" : "false"}</MultiLine>`,
    `${p}<ExtendedEdit>${f.multiLine ? "true" : "false"}</ExtendedEdit>`,
    `${p}<MinValue xsi:nil="true"/>`,
    `${p}<MaxValue xsi:nil="true"/>`,
  ];
  if (role !== "tsAttribute") lines.push(`${p}<FillFromFillingValue>false</FillFromFillingValue>`, `${p}${fillValue(f.type)}`);
  lines.push(
    `${p}<FillChecking>${f.required ? "ShowError" : "DontCheck"}</FillChecking>`,
    `${p}<ChoiceFoldersAndItems>Items</ChoiceFoldersAndItems>`,
    `${p}<ChoiceParameterLinks/>`,
    `${p}<ChoiceParameters/>`,
    `${p}<QuickChoice>Auto</QuickChoice>`,
    `${p}<CreateOnInput>Auto</CreateOnInput>`,
    `${p}<ChoiceForm/>`,
    `${p}<LinkByType/>`,
    `${p}<ChoiceHistoryOnInput>Auto</ChoiceHistoryOnInput>`,
  );
  if (role === "attribute") lines.push(`${p}<Use>ForItem</Use>`);
  if (role === "dimension") {
    lines.push(`${p}<Master>false</Master>`, `${p}<MainFilter>true</MainFilter>`, `${p}<DenyIncompleteValues>${f.denyIncomplete ? "true" : "false"}</DenyIncompleteValues>`);
  }
  const unlimited = f.type.str === 0;
  lines.push(
    `${p}<Indexing>${f.index && !unlimited ? "Index" : "DontIndex"}</Indexing>`,
    `${p}<FullTextSearch>${f.secret ? "DontUse" : "Use"}</FullTextSearch>`,
    `${p}<DataHistory>${f.secret ? "DontUse" : "Use"}</DataHistory>`,
  );
  if (role === "dimension") lines.push(`${p}<TypeReductionMode>TransformValues</TypeReductionMode>`);
  lines.push(`${tabs(n + 1)}</Properties>`, `${tabs(n)}</${tag}>`);
  return lines;
}

export function generatedTypes(list, n) {
  // list: [[name, category, key]]
  const out = [`${tabs(n)}<InternalInfo>`];
  for (const [name, category, key] of list) {
    out.push(
      `${tabs(n + 1)}<xr:GeneratedType name="${name}" category="${category}">`,
      `${tabs(n + 2)}<xr:TypeId>${uuidFor(`${key}#type`)}</xr:TypeId>`,
      `${tabs(n + 2)}<xr:ValueId>${uuidFor(`${key}#value`)}</xr:ValueId>`,
      `${tabs(n + 1)}</xr:GeneratedType>`,
    );
  }
  out.push(`${tabs(n)}</InternalInfo>`);
  return out;
}
