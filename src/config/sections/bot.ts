import { z } from 'zod';

/** The alert sources `opsctl bot start` can check. */
export const ALERT_SOURCES = ['run-failed', 'cost-level', 'backup-age', 'watermark-lag', 'health'] as const;
export type AlertSourceName = (typeof ALERT_SOURCES)[number];

/**
 * What a Telegram user may do in an allowed chat, each role including the one before: `read` the status commands
 * (/status, /runs, /costs, /watermarks, /backups, /migrations, /help), `run` also start pipelines (/run and its
 * button), `admin` also confirm an operation that asks for confirmation (a destructive one).
 */
export const BOT_ROLES = ['read', 'run', 'admin'] as const;
export type BotRole = (typeof BOT_ROLES)[number];

const chatId = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number);

export const botSchema = z
  .strictObject({
    /** Bot token from @BotFather (TELEGRAM_BOT_TOKEN). Secret: redacted everywhere. */
    token: z.string().min(1).optional(),
    /** Telegram chat ids that get answers and alerts; everyone else is refused with no data (OPSCTL_BOT_ALLOWED_CHATS). */
    allowedChats: z.array(chatId).default([]),
    /**
     * Telegram user ids and their roles (OPSCTL_BOT_USERS as `id:role,id:role`): checked on every command and every
     * button press, against the user who sends or presses it, on top of the chat allowlist. A user not listed is an
     * outsider. Absent: every member of an allowed chat has `read` (and the start-up log warns).
     */
    users: z
      .record(
        z.string().regex(/^\d+$/, { message: 'must be a Telegram user id (digits), e.g. "123456789"' }),
        z.enum(BOT_ROLES, { message: 'must be read, run or admin' }),
      )
      .optional(),
    /** Port of the health and metrics server (OPSCTL_BOT_PORT); 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(8000),
    /**
     * Address the health and metrics server listens on: this host only by default. Binding wider (0.0.0.0, ::, a
     * public address) is an explicit setting, and the start-up log says so.
     */
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * How other hosts reach the health endpoint, recorded in the state store so `opsctl status` finds the bot
     * (default `http://127.0.0.1:<port>`, fine when they share a host).
     */
    publicUrl: z.string().url().optional(),
    /** Root of the Telegram Bot API: a self-hosted Bot API server, or a local fake in tests. */
    apiUrl: z.string().url().default('https://api.telegram.org'),
    /** How updates arrive: long polling (default; no inbound port needed) or a webhook. */
    mode: z.enum(['polling', 'webhook']).default('polling'),
    /** Seconds one long poll waits at Telegram for updates. */
    pollTimeoutSec: z.number().int().min(0).max(50).default(30),
    webhook: z
      .strictObject({
        /** Public HTTPS URL Telegram posts updates to; it must reach `path` on this server. */
        url: z.string().url().optional(),
        /** Path of the webhook on the health server. */
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/, { message: 'must be a path like /telegram' })
          .default('/telegram'),
        /**
         * Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; requests without it are rejected. Secret. At least 16
         * characters: it is all that stands between the webhook path and anyone who can post to it.
         */
        secretToken: z
          .string()
          .regex(/^[A-Za-z0-9_-]{16,256}$/, {
            message: 'must be 16-256 characters of A-Z, a-z, 0-9, _ and - (e.g. `openssl rand -hex 24`)',
          })
          .optional(),
      })
      .prefault({}),
    health: z
      .strictObject({
        /**
         * Answer /health and /health/ready with the details (locations, versions, error texts) to whoever reaches the
         * server. Off by default: strangers get statuses only, and details need the bearer token.
         */
        details: z.boolean().default(false),
        /**
         * Bearer token that unlocks the details (`Authorization: Bearer <token>`), from OPSCTL_BOT_HEALTH_TOKEN.
         * Secret. `opsctl status` and `opsctl bot health` send it when their config has it.
         */
        token: z
          .string()
          .min(16, { message: 'must be at least 16 characters (e.g. `openssl rand -hex 24`)' })
          .optional(),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /** Push alerts to the allowed chats. */
        enabled: z.boolean().default(true),
        /** Seconds between two checks of the alert sources. */
        intervalSec: z.number().int().min(5).max(86_400).default(60),
        /** Which sources to check. */
        sources: z.array(z.enum(ALERT_SOURCES)).default([...ALERT_SOURCES]),
      })
      .prefault({}),
    /** Seconds a confirmation button (e.g. /run) stays valid. */
    confirmTtlSec: z.number().int().min(10).max(86_400).default(300),
    /** On SIGTERM/SIGINT, seconds a command in flight may take to finish before it is cancelled. */
    shutdownGraceSec: z.number().int().min(0).max(3_600).default(25),
  })
  .superRefine((bot, ctx) => {
    if (bot.mode !== 'webhook') return;
    if (!bot.webhook.url)
      ctx.addIssue({ code: 'custom', path: ['webhook', 'url'], message: 'is required when bot.mode is "webhook"' });
    if (!bot.webhook.secretToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook', 'secretToken'],
        message: 'is required when bot.mode is "webhook" (it authenticates Telegram\'s requests)',
      });
    }
  })
  .prefault({});

export type BotConfig = z.output<typeof botSchema>;
