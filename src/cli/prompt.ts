import { createInterface } from 'node:readline/promises';

/** Asks on the terminal. `typed` makes the operator type that word (production targets); otherwise y/N. */
export async function confirmOnTerminal(action: string, typed: string | undefined): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (typed) {
      const answer = await rl.question(`${action}\nType "${typed}" to confirm: `);
      return answer.trim() === typed;
    }
    const answer = await rl.question(`${action}\nProceed? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}
