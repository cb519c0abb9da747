// A small description language for managed forms (Ext/Form.xml), emitting the element order the platform writes
// (see ../shared/onec-reference/designer-2.20/.../Form.xml): own properties (sizes included), ContextMenu,
// ExtendedTooltip, Events, ChildItems. tools/checks/xml.mjs checks this order in the dump.
import { formDocument, ml, typeLines } from "./xml.mjs";

const tabs = (n) => "\t".repeat(n);

export const field = (name, path, opts = {}) => ({ kind: opts.kind ?? "input", name, path, ...opts });
export const group = (name, title, opts, children) => ({ kind: "group", name, title, ...opts, children });
export const pages = (name, children) => ({ kind: "pages", name, children });
export const page = (name, title, children) => ({ kind: "page", name, title, children });
export const table = (name, path, opts, children) => ({ kind: "table", name, path, ...opts, children });
export const button = (name, command, opts = {}) => ({ kind: "button", name, command, ...opts });

function events(evts, n) {
  if (!evts || Object.keys(evts).length === 0) return [];
  return [`${tabs(n)}<Events>`, ...Object.entries(evts).map(([e, h]) => `${tabs(n + 1)}<Event name="${e}">${h}</Event>`), `${tabs(n)}</Events>`];
}

function item(el, ids, n, inCommandBar = false) {
  const id = ids.next();
  const t = tabs(n + 1);
  const cm = () => `${t}<ContextMenu name="${el.name}КонтекстноеМеню" id="${ids.next()}"/>`;
  const et = () => `${t}<ExtendedTooltip name="${el.name}РасширеннаяПодсказка" id="${ids.next()}"/>`;
  switch (el.kind) {
    case "input":
    case "label":
    case "check": {
      const tag = { input: "InputField", label: "LabelField", check: "CheckBoxField" }[el.kind];
      const out = [`${tabs(n)}<${tag} name="${el.name}" id="${id}">`, `${t}<DataPath>${el.path}</DataPath>`];
      if (el.readOnly) out.push(`${t}<ReadOnly>true</ReadOnly>`);
      if (el.title) out.push(...ml("Title", el.title, n + 1));
      if (el.titleLocation) out.push(`${t}<TitleLocation>${el.titleLocation}</TitleLocation>`);
      if (el.kind === "input") out.push(`${t}<EditMode>EnterOnInput</EditMode>`);
      if (el.width) out.push(`${t}<Width>${el.width}</Width>`);
      if (el.height) out.push(`${t}<Height>${el.height}</Height>`);
      if (el.multiLine) out.push(`${t}<MultiLine>true</MultiLine>`);
      if (el.password) out.push(`${t}<PasswordMode>true</PasswordMode>`);
      if (el.hint) out.push(...ml("InputHint", el.hint, n + 1));
      if (el.hyperlink) out.push(`${t}<Hiperlink>true</Hiperlink>`);
      // Properties first, then the companions, then events (the platform's order).
      out.push(cm(), et(), ...events(el.events, n + 1), `${tabs(n)}</${tag}>`);
      return out;
    }
    case "group": {
      const out = [`${tabs(n)}<UsualGroup name="${el.name}" id="${id}">`, ...ml("Title", el.title, n + 1)];
      out.push(`${t}<Group>${el.direction ?? "Vertical"}</Group>`);
      if (el.representation) out.push(`${t}<Representation>${el.representation}</Representation>`);
      out.push(`${t}<ShowTitle>${el.showTitle ? "true" : "false"}</ShowTitle>`, et());
      out.push(...children(el.children, ids, n + 1), `${tabs(n)}</UsualGroup>`);
      return out;
    }
    case "pages":
      return [`${tabs(n)}<Pages name="${el.name}" id="${id}">`, et(), ...children(el.children, ids, n + 1), `${tabs(n)}</Pages>`];
    case "page":
      return [`${tabs(n)}<Page name="${el.name}" id="${id}">`, ...ml("Title", el.title, n + 1), et(), ...children(el.children, ids, n + 1), `${tabs(n)}</Page>`];
    case "table": {
      const out = [`${tabs(n)}<Table name="${el.name}" id="${id}">`, `${t}<Representation>List</Representation>`];
      if (el.readOnly) out.push(`${t}<ReadOnly>true</ReadOnly>`, `${t}<ChangeRowSet>false</ChangeRowSet>`, `${t}<ChangeRowOrder>false</ChangeRowOrder>`);
      out.push(`${t}<DataPath>${el.path}</DataPath>`);
      if (el.title) out.push(...ml("Title", el.title, n + 1));
      if (!el.dynamic) out.push(`${t}<RowFilter xsi:nil="true"/>`);
      out.push(cm());
      const bar = [`${t}<AutoCommandBar name="${el.name}КоманднаяПанель" id="${ids.next()}">`];
      if (el.autofill === false) bar.push(`${t}\t<Autofill>false</Autofill>`);
      if (el.buttons?.length) bar.push(...children(el.buttons, ids, n + 2, true));
      bar.push(`${t}</AutoCommandBar>`);
      out.push(...(bar.length === 2 && el.autofill !== false ? [`${t}<AutoCommandBar name="${el.name}КоманднаяПанель" id="${bar[0].match(/id="(\d+)"/)[1]}"/>`] : bar));
      out.push(et());
      for (const [suffix, tag, type] of [
        ["СтрокаПоиска", "SearchStringAddition", "SearchStringRepresentation"],
        ["СостояниеПросмотра", "ViewStatusAddition", "ViewStatusRepresentation"],
        ["УправлениеПоиском", "SearchControlAddition", "SearchControl"],
      ]) {
        out.push(
          `${t}<${tag} name="${el.name}${suffix}" id="${ids.next()}">`,
          `${t}\t<AdditionSource>`,
          `${t}\t\t<Item>${el.name}</Item>`,
          `${t}\t\t<Type>${type}</Type>`,
          `${t}\t</AdditionSource>`,
          `${t}\t<ContextMenu name="${el.name}${suffix}КонтекстноеМеню" id="${ids.next()}"/>`,
          `${t}\t<ExtendedTooltip name="${el.name}${suffix}РасширеннаяПодсказка" id="${ids.next()}"/>`,
          `${t}</${tag}>`,
        );
      }
      out.push(...events(el.events, n + 1), ...children(el.children, ids, n + 1), `${tabs(n)}</Table>`);
      return out;
    }
    case "button": {
      const out = [`${tabs(n)}<Button name="${el.name}" id="${id}">`, `${t}<Type>${inCommandBar ? "CommandBarButton" : "UsualButton"}</Type>`];
      out.push(`${t}<CommandName>${el.command}</CommandName>`);
      if (el.defaultButton) out.push(`${t}<DefaultButton>true</DefaultButton>`);
      out.push(et(), `${tabs(n)}</Button>`);
      return out;
    }
    default:
      throw new Error(`unknown form item kind ${el.kind}`);
  }
}

function children(list, ids, n, inCommandBar = false) {
  if (!list?.length) return [];
  return [`${tabs(n)}<ChildItems>`, ...list.flatMap((c) => item(c, ids, n + 1, inCommandBar)), `${tabs(n)}</ChildItems>`];
}

/**
 * spec: { title, objectForm (catalog item form), events: {Event: handler}, commandBar: [button], items: [...],
 *         attributes: [{ name, title, type, main, saved, columns: [{name, title, type}], dynamicList: { mainTable } }],
 *         commands: [{ name, title, tooltip, action }], parameters: [{ name, type, key }] }
 */
export function formXml(spec) {
  let n = 0;
  const ids = { next: () => ++n };
  const out = [];
  if (spec.title) out.push(...ml("Title", spec.title, 1), "\t<AutoTitle>false</AutoTitle>");
  if (spec.objectForm) out.push("\t<WindowOpeningMode>LockOwnerWindow</WindowOpeningMode>", "\t<UseForFoldersAndItems>Items</UseForFoldersAndItems>");
  if (spec.commandBar?.length) {
    out.push('\t<AutoCommandBar name="ФормаКоманднаяПанель" id="-1">', ...children(spec.commandBar, ids, 2, true), "\t</AutoCommandBar>");
  } else {
    out.push('\t<AutoCommandBar name="ФормаКоманднаяПанель" id="-1"/>');
  }
  out.push(...events(spec.events, 1), ...children(spec.items, ids, 1));

  out.push("\t<Attributes>");
  let attributeId = 0;
  for (const a of spec.attributes ?? []) {
    out.push(`\t\t<Attribute name="${a.name}" id="${++attributeId}">`, ...ml("Title", a.title, 3));
    out.push("\t\t\t<Type>", ...typeLines(a.type, 4), "\t\t\t</Type>");
    if (a.main) out.push("\t\t\t<MainAttribute>true</MainAttribute>");
    if (a.saved) out.push("\t\t\t<SavedData>true</SavedData>");
    if (a.columns?.length) {
      out.push("\t\t\t<Columns>");
      let columnId = 0;
      for (const c of a.columns) {
        out.push(`\t\t\t\t<Column name="${c.name}" id="${++columnId}">`, ...ml("Title", c.title, 5), "\t\t\t\t\t<Type>", ...typeLines(c.type, 6), "\t\t\t\t\t</Type>", "\t\t\t\t</Column>");
      }
      out.push("\t\t\t</Columns>");
    }
    if (a.dynamicList) {
      out.push(
        '\t\t\t<Settings xsi:type="DynamicList">',
        "\t\t\t\t<ManualQuery>false</ManualQuery>",
        "\t\t\t\t<DynamicDataRead>true</DynamicDataRead>",
        `\t\t\t\t<MainTable>${a.dynamicList.mainTable}</MainTable>`,
        "\t\t\t\t<ListSettings>",
        "\t\t\t\t\t<dcsset:filter>",
        "\t\t\t\t\t\t<dcsset:viewMode>Normal</dcsset:viewMode>",
        `\t\t\t\t\t\t<dcsset:userSettingID>${a.dynamicList.ids[0]}</dcsset:userSettingID>`,
        "\t\t\t\t\t</dcsset:filter>",
        "\t\t\t\t\t<dcsset:order>",
        "\t\t\t\t\t\t<dcsset:viewMode>Normal</dcsset:viewMode>",
        `\t\t\t\t\t\t<dcsset:userSettingID>${a.dynamicList.ids[1]}</dcsset:userSettingID>`,
        "\t\t\t\t\t</dcsset:order>",
        "\t\t\t\t\t<dcsset:conditionalAppearance>",
        "\t\t\t\t\t\t<dcsset:viewMode>Normal</dcsset:viewMode>",
        `\t\t\t\t\t\t<dcsset:userSettingID>${a.dynamicList.ids[2]}</dcsset:userSettingID>`,
        "\t\t\t\t\t</dcsset:conditionalAppearance>",
        "\t\t\t\t\t<dcsset:itemsViewMode>Normal</dcsset:itemsViewMode>",
        `\t\t\t\t\t<dcsset:itemsUserSettingID>${a.dynamicList.ids[3]}</dcsset:itemsUserSettingID>`,
        "\t\t\t\t</ListSettings>",
        "\t\t\t</Settings>",
      );
    }
    out.push("\t\t</Attribute>");
  }
  out.push("\t</Attributes>");

  if (spec.commands?.length) {
    out.push("\t<Commands>");
    let commandId = 0;
    for (const c of spec.commands) {
      out.push(`\t\t<Command name="${c.name}" id="${++commandId}">`, ...ml("Title", c.title, 3), ...ml("ToolTip", c.tooltip ?? c.title, 3), `\t\t\t<Action>${c.action ?? c.name}</Action>`, "\t\t</Command>");
    }
    out.push("\t</Commands>");
  }
  if (spec.parameters?.length) {
    out.push("\t<Parameters>");
    for (const p of spec.parameters) {
      out.push(`\t\t<Parameter name="${p.name}">`, "\t\t\t<Type>", ...typeLines(p.type, 4), "\t\t\t</Type>");
      if (p.key) out.push("\t\t\t<KeyParameter>true</KeyParameter>");
      out.push("\t\t</Parameter>");
    }
    out.push("\t</Parameters>");
  }
  return formDocument(out.join("\r\n"));
}

