import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { etlStep } from '../commands/demo/steps/etl.js';
import { DEMO_STEPS } from '../commands/demo/steps/index.js';
import { etlWorkspace, fakeExtractor, useFakeSpotify } from './helpers/etl.js';

test('the demo step configures a spotify pipeline on the sample source and runs it through etl.run', async () => {
  const ws: Record<string, unknown> = { pipelines: { other: { kind: 'sync', target: 'local' } } };
  etlStep.configure!(ws);
  assert.equal(ws.pipelines, {
    other: { kind: 'sync', target: 'local' },
    spotify: { kind: 'spotify', source: 'sample' },
  });
  const names = DEMO_STEPS.map((s) => s.name);
  assert.ok(names.indexOf('etl') >= 0 && names.indexOf('etl') < names.indexOf('overview'), 'before the overview');

  const fake = fakeExtractor();
  useFakeSpotify(fake);
  const { runtime } = etlWorkspace({ pipelines: { spotify: { kind: 'spotify', source: 'sample' } } });
  try {
    const summary = await etlStep.run(runtime);
    assert.is(
      summary,
      'spotify run 1: 13 rows into 8 tables, 1 quarantined, track_audio_features unavailable (opsctl etl show 1)',
    );
    fake.next = () => {
      throw new Error('sample source exploded');
    };
    await etlStep.run(runtime).then(
      () => assert.unreachable('a failed pipeline fails the step'),
      (error) => assert.match((error as Error).message, /pipeline spotify failed \(run 2\): sample source exploded/),
    );
  } finally {
    await runtime.close();
  }
});

test.run();
