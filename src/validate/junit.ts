import { hostname } from 'node:os';
import { redactor } from '../log/redact.js';
import { OPSCTL_VERSION } from '../version.js';

/** What the file is written from: validate's result fits it, and this module needs nothing else from the operation. */
export interface JunitReport {
  env: string;
  groups: string[];
  checks: Array<{
    group: string;
    name: string;
    status: 'pass' | 'warn' | 'fail';
    reason: string;
    hint?: string | undefined;
    durationMs: number;
  }>;
  counts: { fail: number };
  startedAt: string;
  durationMs: number;
}

// XML 1.0 allows tab, LF, CR and the ranges below; anything else (other control characters) is replaced.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The strict Ant schema's timestamp: `xs:dateTime` without a zone and without fractions of a second. validate's
 * startedAt is UTC, so the zone is dropped (and named in the suite's properties), never converted.
 */
export function junitTimestamp(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

/** 'localhost' when the name cannot be read, as the schema asks; an empty token is not valid there. */
function host(): string {
  try {
    return hostname().trim() || 'localhost';
  } catch {
    return 'localhost';
  }
}

/**
 * The gate as JUnit XML valid against the strict Ant JUnit schema (windyroad JUnit.xsd, committed as
 * tests/fixtures/junit/JUnit.xsd): one testsuite per group, one testcase per check. A fail is a <failure>; a warning
 * passes. The schema allows no attributes on <testsuites> and no <system-out> in a testcase, so the totals live on each
 * suite (a run that checked nothing still has its "no checks selected" suite with failures="1") and warnings are
 * listed in their suite's <system-out>, where CI shows them without failing the build.
 */
export function toJunit(result: JunitReport): string {
  const timestamp = junitTimestamp(result.startedAt);
  const hostName = host();
  const properties = [
    ['opsctl.env', result.env],
    ['opsctl.version', OPSCTL_VERSION],
    ['timestamp.zone', 'UTC'],
  ]
    .map(([name, value]) => `      <property name="${xmlEscape(name!)}" value="${xmlEscape(value!)}"/>`)
    .join('\n');
  const suites = result.groups.map((group, id) => {
    const checks = result.checks.filter((c) => c.group === group);
    const failures = checks.filter((c) => c.status === 'fail').length;
    const time = checks.reduce((t, c) => t + c.durationMs, 0);
    const text = (c: JunitReport['checks'][number]) => `${c.reason}${c.hint ? `\nhint: ${c.hint}` : ''}`;
    const cases = checks.map((c) => {
      const attrs = `name="${xmlEscape(c.name)}" classname="opsctl.validate.${xmlEscape(group)}" time="${seconds(c.durationMs)}"`;
      if (c.status !== 'fail') return `    <testcase ${attrs}/>`;
      return `    <testcase ${attrs}>\n      <failure message="${xmlEscape(c.reason)}" type="fail">${xmlEscape(text(c))}</failure>\n    </testcase>`;
    });
    const out = checks
      .filter((c) => c.status === 'warn')
      .map((c) => `${c.status.toUpperCase()} ${c.name}: ${text(c)}`)
      .join('\n');
    const attrs = [
      `name="${xmlEscape(group)}"`,
      `package="opsctl.validate"`,
      `id="${id}"`,
      `timestamp="${timestamp}"`,
      `hostname="${xmlEscape(hostName)}"`,
      `tests="${checks.length}"`,
      `failures="${failures}"`,
      `errors="0"`,
      `skipped="0"`,
      `time="${seconds(time)}"`,
    ].join(' ');
    return [
      `  <testsuite ${attrs}>`,
      `    <properties>\n${properties}\n    </properties>`,
      ...cases,
      `    <system-out>${xmlEscape(out)}</system-out>`,
      `    <system-err/>`,
      `  </testsuite>`,
    ].join('\n');
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
  return redactor.redact(xml);
}
