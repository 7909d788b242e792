// The strict Ant JUnit schema check: xmllint (libxml2-utils, which .ci/run installs) against the committed XSD.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const XSD = fileURLToPath(new URL('../fixtures/junit/JUnit.xsd', import.meta.url));

/** Why the schema cannot be checked here, or undefined when xmllint answers. */
export function xmllintMissing(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `xmllint is not installed (${r.error?.message ?? r.stderr.trim()})`;
  return undefined;
}

/** xmllint's verdict on the document: valid, or its error lines (which name the element and attribute). */
export function junitSchemaErrors(xml: string): string[] {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, '-'], { input: xml, encoding: 'utf8' });
  if (r.status === 0) return [];
  return r.stderr.split('\n').filter((l) => l && !/validates$/.test(l));
}
