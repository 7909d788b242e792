import type { Config } from '../../config/load.js';
import type { OutgoingMessage } from '../telegram.js';

/** An action that runs only after the person presses the confirmation button (e.g. `/run`). */
export interface ConfirmableAction {
  /** Operation to invoke once confirmed, by name. */
  operation: string;
  input: Record<string, unknown>;
  /** The question (HTML), e.g. "Run pipeline <b>spotify</b> now?". */
  question: string;
  /** Label of the confirming button, e.g. "▶ Run spotify". */
  button: string;
  /** What the question becomes once confirmed (HTML). */
  started: string;
  /** What it becomes when the action has ended (HTML); the result itself comes as a new message. */
  finished: string;
  /** The result, formatted for the chat. */
  done(result: unknown): string;
}

/** What a command handler gets: the chat, the arguments, and operations by name. */
export interface CommandRequest {
  chatId: number;
  /** Text after the command, trimmed. */
  args: string;
  /** Who asked, for messages ("@alice"). */
  user: string;
  config: Config;
  /** Runs an operation by name with the bot's runtime (trigger `bot`). */
  invoke(operation: string, input?: Record<string, unknown>): Promise<unknown>;
  /** Whether this build has the operation. */
  has(operation: string): Promise<boolean>;
  /** Registers a pending confirmation and returns the question with its buttons. */
  confirm(action: ConfirmableAction): OutgoingMessage;
  /** Every command, for /help. */
  commands: readonly BotCommand[];
}

/** One Telegram command; each lives in its own module under src/bot/commands/. */
export interface BotCommand {
  /** Without the slash: `status`. */
  name: string;
  /** One line, shown in /help and in Telegram's command menu. */
  description: string;
  /** Shown in /help when the command takes arguments: `/run <pipeline>`. */
  usage?: string;
  /** Operations it needs; when one is missing from this build the command says so instead of running. */
  operations: readonly string[];
  run(request: CommandRequest): Promise<OutgoingMessage | string>;
}
