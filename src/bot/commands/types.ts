import type { InputFor, OperationName, ResultFor } from '../../../commands/catalog.js';
import type { Config } from '../../config/load.js';
import type { BotRole } from '../../config/sections/bot.js';
import type { OutgoingMessage } from '../telegram.js';

/**
 * An action that runs only after the person presses the confirmation button (e.g. `/run`). The press is the
 * confirmation a destructive operation asks for: when the operation refuses without `confirm`, the dispatcher runs it
 * again with `confirm: true`, unless it needs a typed word (production targets), which only the console and the CLI ask.
 */
export interface ConfirmableAction<N extends OperationName> {
  /** Operation to run once confirmed. */
  operation: N;
  input: InputFor<N>;
  /** The question (HTML), e.g. "Run pipeline <b>spotify</b> now?". */
  question: string;
  /** Label of the confirming button, e.g. "▶ Run spotify". */
  button: string;
  /** What the question becomes once confirmed (HTML), naming who pressed the button ("@bob"). */
  started(confirmedBy: string): string;
  /** What it becomes when the action has ended (HTML); the result itself comes as a new message. */
  finished(confirmedBy: string): string;
  /** The result, formatted for the chat. */
  done(result: ResultFor<N>): string;
  /** The role the person pressing the button needs (default `run`); confirming a destructive operation needs `admin`. */
  role?: BotRole;
}

/** What a command handler gets: the chat, the arguments, and operations by name. */
export interface CommandRequest {
  chatId: number;
  /** Text after the command, trimmed. */
  args: string;
  /** Who asked, for messages ("@alice"). */
  user: string;
  config: Config;
  /** Runs an operation of the catalog with the bot's runtime (trigger `bot`). */
  invoke<N extends OperationName>(operation: N, input: InputFor<N>): Promise<ResultFor<N>>;
  /** Registers a pending confirmation and returns the question with its buttons. */
  confirm<N extends OperationName>(action: ConfirmableAction<N>): OutgoingMessage;
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
  /** Who may send it (default `read`): see BOT_ROLES. */
  role?: BotRole;
  run(request: CommandRequest): Promise<OutgoingMessage | string>;
}
