import { z } from 'zod';

export const botSchema = z
  .strictObject({
    token: z.string().min(1).optional(),
    /** Telegram chat ids that get answers; everyone else is refused. */
    allowedChats: z.array(z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number)).default([]),
    /** Port of the health and metrics server. */
    port: z.number().int().min(0).max(65535).default(8000),
  })
  .prefault({});
