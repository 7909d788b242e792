import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ago, bytes, count, duration, latency, percent, plural, rate, span, usd } from '../src/format.js';

test('bytes: binary units, three significant figures, missing as -', () => {
  assert.is(bytes(0), '0 B');
  assert.is(bytes(512), '512 B');
  assert.is(bytes(1536), '1.50 KiB');
  assert.is(bytes(1.5 * 1024 ** 3), '1.50 GiB');
  assert.is(bytes(12.34 * 1024 ** 2), '12.3 MiB');
  assert.is(bytes(261 * 1024 ** 3), '261 GiB');
  assert.is(bytes(undefined), '-');
  assert.is(bytes(Number.NaN), '-');
});

test('duration: ms, tenths of seconds, then two units', () => {
  assert.is(duration(850), '850ms');
  assert.is(duration(12_340), '12.3s');
  assert.is(duration(59_999), '59.9s');
  assert.is(duration(245_000), '4m05s');
  assert.is(duration((2 * 60 + 5) * 60_000), '2h05m');
  assert.is(duration((3 * 24 + 4) * 3_600_000), '3d04h');
  assert.is(duration(null), '-');
});

test('latency: three significant figures in ms', () => {
  assert.is(latency(0.4242), '0.42 ms');
  assert.is(latency(12.34), '12.3 ms');
  assert.is(latency(1503.6), '1504 ms');
  assert.is(latency(undefined), '-');
});

test('span and ago: the largest whole unit, never fractional hours', () => {
  assert.is(span(45_000), '45s');
  assert.is(span(6 * 60_000), '6m');
  assert.is(span(5.9 * 3_600_000), '5h');
  assert.is(span(49 * 3_600_000), '2d');
  const now = Date.parse('2026-12-03T12:00:00Z');
  assert.is(ago('2026-12-03T11:57:00Z', now), '3m ago');
  assert.is(ago(now - 500, now), 'just now');
  assert.is(ago(new Date(now + 5 * 60_000), now), 'in 5m');
  assert.is(ago(undefined, now), 'never');
  assert.is(ago('garbage', now), '-');
});

test('usd: zero, sub-cent, cents, thousands', () => {
  assert.is(usd(0), '$0');
  assert.is(usd(0.0042), '$0.0042');
  assert.is(usd(0.004), '$0.004');
  assert.is(usd(3.5), '$3.50');
  assert.is(usd(1234.4), '$1,234');
  assert.is(usd(-2), '-$2.00');
});

test('percent, count, plural, rate', () => {
  assert.is(percent(0.42), '0.4%');
  assert.is(percent(12.4), '12%');
  assert.is(count(1234567), '1,234,567');
  assert.is(plural(1, 'profile'), '1 profile');
  assert.is(plural(2, 'profile'), '2 profiles');
  assert.is(plural(3, 'query', 'queries'), '3 queries');
  assert.is(rate(12.34), '12.3/s');
  assert.is(rate(56571), '56,571/s');
});

test.run();
