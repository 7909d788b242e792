import { Text } from 'ink';
import { plural } from '../../src/format.js';
import { useJobs } from '../hooks/useJobs.js';
import { Spinner } from '../widgets/Spinner.js';

/** The header's jobs indicator on every pane: running jobs with a spinner, then finished results not yet read. */
export function jobsBadgeText(jobs: readonly { status: string; read: boolean }[]): string {
  const running = jobs.filter((j) => j.status === 'running').length;
  const unread = jobs.filter((j) => !j.read && j.status !== 'running' && j.status !== 'asking').length;
  return [running ? `${plural(running, 'job')}` : '', unread ? `${plural(unread, 'result')} J` : '']
    .filter(Boolean)
    .join(' · ');
}

export function JobsBadge() {
  const jobs = useJobs();
  const text = jobsBadgeText(jobs);
  if (!text) return null;
  const running = jobs.some((j) => j.status === 'running');
  return (
    <Text color={running ? 'cyan' : 'green'}>
      {running ? <Spinner /> : null}
      {` ${text} `}
    </Text>
  );
}
