import { redactor } from '../log/redact.js';

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

/**
 * The gate as JUnit XML, the format CI systems render: one testsuite per group, one testcase per check. A fail is a
 * <failure>; a warning passes, with its reason in <system-out> so it is visible but never fails the build.
 */
export function toJunit(result: JunitReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suites = result.groups.map((group) => {
    const checks = result.checks.filter((c) => c.group === group);
    const failures = checks.filter((c) => c.status === 'fail').length;
    const time = checks.reduce((t, c) => t + c.durationMs, 0);
    const cases = checks.map((c) => {
      const attrs = `classname="opsctl.validate.${xmlEscape(group)}" name="${xmlEscape(c.name)}" time="${seconds(c.durationMs)}"`;
      const text = `${c.reason}${c.hint ? `\nhint: ${c.hint}` : ''}`;
      if (c.status === 'fail')
        return `    <testcase ${attrs}>\n      <failure message="${xmlEscape(c.reason)}" type="fail">${xmlEscape(text)}</failure>\n    </testcase>`;
      return `    <testcase ${attrs}>\n      <system-out>${xmlEscape(`${c.status.toUpperCase()}: ${text}`)}</system-out>\n    </testcase>`;
    });
    return `  <testsuite name="${xmlEscape(group)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(time)}" timestamp="${xmlEscape(result.startedAt.replace(/Z$/, ''))}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = result.counts.fail;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="opsctl validate (${xmlEscape(result.env)})" tests="${result.checks.length}" failures="${failures}" errors="0" time="${seconds(result.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
  return redactor.redact(xml);
}
