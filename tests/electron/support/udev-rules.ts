/**
 * A strict parser of udev rule files (udev(7), systemd 252). Debian 12's udevadm has no `verify` (it came
 * in systemd 254) and `udevadm test` needs the real device in /sys, so the rules are checked here: every
 * key known, with an operator it accepts, its {attribute} where one is required, a double-quoted value, a
 * LABEL for every GOTO, octal modes. Stricter than udev itself (no spaces around operators, no trailing
 * comma), so a rule that passes here is read by udev the way it reads.
 */

export type Op = '==' | '!=' | '=' | '+=' | '-=' | ':=';
const MATCH: readonly Op[] = ['==', '!='];

interface KeySpec {
  ops: readonly Op[];
  attr: 'none' | 'required' | 'optional';
  attrValues?: readonly string[];
}

const KEYS: Record<string, KeySpec> = {
  ACTION: { ops: MATCH, attr: 'none' },
  DEVPATH: { ops: MATCH, attr: 'none' },
  KERNEL: { ops: MATCH, attr: 'none' },
  KERNELS: { ops: MATCH, attr: 'none' },
  SUBSYSTEM: { ops: MATCH, attr: 'none' },
  SUBSYSTEMS: { ops: MATCH, attr: 'none' },
  DRIVER: { ops: MATCH, attr: 'none' },
  DRIVERS: { ops: MATCH, attr: 'none' },
  TAGS: { ops: MATCH, attr: 'none' },
  RESULT: { ops: MATCH, attr: 'none' },
  PROGRAM: { ops: MATCH, attr: 'none' },
  ATTRS: { ops: MATCH, attr: 'required' },
  CONST: { ops: MATCH, attr: 'required', attrValues: ['arch', 'virt'] },
  TEST: { ops: MATCH, attr: 'optional' },
  NAME: { ops: [...MATCH, '=', ':='], attr: 'none' },
  SYMLINK: { ops: [...MATCH, '=', '+=', '-=', ':='], attr: 'none' },
  TAG: { ops: [...MATCH, '=', '+=', '-=', ':='], attr: 'none' },
  ATTR: { ops: [...MATCH, '='], attr: 'required' },
  SYSCTL: { ops: [...MATCH, '='], attr: 'required' },
  ENV: { ops: [...MATCH, '=', '+=', '-=', ':='], attr: 'required' },
  IMPORT: { ops: ['=', '=='], attr: 'required', attrValues: ['program', 'builtin', 'file', 'db', 'cmdline', 'parent'] },
  OWNER: { ops: ['=', ':='], attr: 'none' },
  GROUP: { ops: ['=', ':='], attr: 'none' },
  MODE: { ops: ['=', ':='], attr: 'none' },
  SECLABEL: { ops: ['=', '+=', ':='], attr: 'required' },
  RUN: { ops: ['=', '+=', '-=', ':='], attr: 'optional', attrValues: ['program', 'builtin'] },
  LABEL: { ops: ['='], attr: 'none' },
  GOTO: { ops: ['='], attr: 'none' },
  OPTIONS: { ops: ['=', '+=', ':='], attr: 'none' },
};

export interface Assignment {
  key: string;
  attr: string | null;
  op: Op;
  value: string;
}

export interface Rule {
  line: number;
  pairs: Assignment[];
}

export class UdevSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'UdevSyntaxError';
  }
}

const PAIR = /^([A-Z_]+)(?:\{([^{}"\s]+)\})?(==|!=|\+=|-=|:=|=)"([^"\\]*)"$/;

/** Splits a rule line at the commas between pairs (commas inside quoted values stay). */
function splitPairs(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new Error('unterminated quoted value');
  parts.push(current.trim());
  return parts;
}

export function parseUdevRules(text: string, file = 'rules'): Rule[] {
  const rules: Rule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.endsWith('\\')) throw new UdevSyntaxError(file, lineNo, 'line continuations are not used in these files');
    if (raw !== raw.trimEnd()) throw new UdevSyntaxError(file, lineNo, 'trailing whitespace');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let parts: string[];
    try {
      parts = splitPairs(line);
    } catch (err) {
      throw new UdevSyntaxError(file, lineNo, (err as Error).message);
    }
    const pairs: Assignment[] = [];
    for (const part of parts) {
      if (part === '') throw new UdevSyntaxError(file, lineNo, 'empty pair (a stray comma)');
      const m = PAIR.exec(part);
      if (!m) throw new UdevSyntaxError(file, lineNo, `not KEY{attr}OP"value": ${part}`);
      const [, key, attr, op, value] = m as unknown as [string, string, string | undefined, Op, string];
      const spec = KEYS[key];
      if (!spec) throw new UdevSyntaxError(file, lineNo, `unknown key ${key}`);
      if (!spec.ops.includes(op)) throw new UdevSyntaxError(file, lineNo, `${key} does not take ${op}`);
      if (spec.attr === 'none' && attr !== undefined) throw new UdevSyntaxError(file, lineNo, `${key} takes no {attribute}`);
      if (spec.attr === 'required' && attr === undefined) throw new UdevSyntaxError(file, lineNo, `${key} needs an {attribute}`);
      if (attr !== undefined && spec.attrValues && !spec.attrValues.includes(attr)) throw new UdevSyntaxError(file, lineNo, `${key}{${attr}}: unknown type`);
      if (key === 'MODE' && !/^0?[0-7]{3}$/.test(value)) throw new UdevSyntaxError(file, lineNo, `MODE must be octal: ${value}`);
      if ((key === 'OWNER' || key === 'GROUP') && !/^[a-z_][a-z0-9_-]*$/.test(value)) throw new UdevSyntaxError(file, lineNo, `${key}: not a user or group name: ${value}`);
      if ((key === 'LABEL' || key === 'GOTO') && !/^[A-Za-z0-9_]+$/.test(value)) throw new UdevSyntaxError(file, lineNo, `${key}: not a label: ${value}`);
      pairs.push({ key, attr: attr ?? null, op, value });
    }
    const hasLabel = pairs.some((p) => p.key === 'LABEL');
    if (hasLabel && pairs.length > 1) throw new UdevSyntaxError(file, lineNo, 'LABEL stands on its own line');
    if (!hasLabel && !pairs.some((p) => MATCH.includes(p.op) || p.key === 'IMPORT')) {
      // a rule that only assigns would apply to every device of the system
      throw new UdevSyntaxError(file, lineNo, 'a rule without any match applies to every device');
    }
    rules.push({ line: lineNo, pairs });
  }
  // every GOTO jumps forward to a LABEL of the same file
  rules.forEach((rule, index) => {
    for (const p of rule.pairs.filter((x) => x.key === 'GOTO')) {
      const later = rules.slice(index + 1).some((r) => r.pairs.some((x) => x.key === 'LABEL' && x.value === p.value));
      if (!later) throw new UdevSyntaxError(file, rule.line, `GOTO "${p.value}" has no LABEL after it`);
    }
  });
  return rules;
}

/** The value a rule gives a key (first match), e.g. value(rule, 'ATTRS', 'idVendor'). */
export function value(rule: Rule, key: string, attr: string | null = null): string | undefined {
  return rule.pairs.find((p) => p.key === key && p.attr === attr)?.value;
}
