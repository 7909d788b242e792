// Preloaded with --import: records every module URL the process resolves into $OPSCTL_TRACE_FILE.
import { register } from 'node:module';

register('./trace-hook.mjs', import.meta.url, { data: { file: process.env.OPSCTL_TRACE_FILE } });
