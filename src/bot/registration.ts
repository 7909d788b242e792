import type { OperationContext } from '../../commands/operation.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  heartbeatBotInstance,
  pruneDeadBotInstances,
  registerBotInstance,
  unregisterBotInstance,
} from '../state/bot.js';

const HEARTBEAT_MS = 15_000;

export interface Registration {
  /** Stops the heartbeat and removes the record (a stopped bot is not "gone", it is not there). */
  stop(): Promise<void>;
}

/**
 * Records this bot in the state store (so `opsctl status`, the console and `bot health` find its health endpoint) and
 * beats every 15 s. A record that vanished (pruned, or the store was reset) is written again at the next beat. The
 * bot works without it: a state store that fails here is logged, not fatal.
 */
export async function registerBot(
  runtime: Pick<OperationContext, 'state'>,
  info: Parameters<typeof registerBotInstance>[1],
  log: Logger,
): Promise<Registration> {
  let instanceId: string | undefined;
  let beating: Promise<void> | undefined;
  const beat = async () => {
    try {
      const store = await runtime.state();
      if (instanceId && (await heartbeatBotInstance(store, instanceId))) return;
      await pruneDeadBotInstances(store);
      instanceId = await registerBotInstance(store, info);
    } catch (error) {
      log.warn('bot: could not record this bot in the state store', { error: errorMessage(error) });
    }
  };
  await beat();
  const timer = setInterval(() => void (beating = beat()), HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beating; // a beat in flight would write the record again after it is removed
      if (!instanceId) return;
      const id = instanceId;
      await runtime
        .state()
        .then((store) => unregisterBotInstance(store, id))
        .catch(() => undefined);
    },
  };
}
