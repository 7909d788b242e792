import { z } from 'zod';
import { nameSchema } from './common.js';

/** Load-test profiles by name; the load-test issue defines the profile fields. */
export const loadtestProfileSchema = z.strictObject({
  url: z.string().url(),
});

export const loadtestSchema = z
  .strictObject({
    profiles: z.record(nameSchema, loadtestProfileSchema).prefault({}),
  })
  .prefault({});
