import React, { createContext, useContext, useSyncExternalStore } from 'react';
import type { Job, JobStore } from '../services/jobs.js';

const JobsContext = createContext<JobStore | null>(null);

export function JobsProvider({ jobs, children }: { jobs: JobStore; children: React.ReactNode }) {
  return <JobsContext.Provider value={jobs}>{children}</JobsContext.Provider>;
}

export function useJobStore(): JobStore {
  const jobs = useContext(JobsContext);
  if (!jobs) throw new Error('useJobStore needs a JobsProvider');
  return jobs;
}

/** Every job, re-rendering on each change (the jobs view, the header indicator). */
export function useJobs(): readonly Job[] {
  const jobs = useJobStore();
  useSyncExternalStore(jobs.subscribe, jobs.getVersion);
  return jobs.list();
}

/** The newest job an owner started, re-rendering when it changes. */
export function useLatestJob(owner: string): Job | undefined {
  const jobs = useJobStore();
  return useSyncExternalStore(jobs.subscribe, () => jobs.latest(owner));
}
