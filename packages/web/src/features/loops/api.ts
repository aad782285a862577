import { useQuery } from '@tanstack/react-query';
import { http } from '../../api/client';

export interface Clock {
  code: string;
  name: string;
  state: 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
  dueAt: string | null;
  startedAt: string;
  endedAt: string | null;
  remainingSeconds: number | null;
}
export interface RecoveryCase {
  id: string;
  ticketId: string;
  ticketNumber: string | null;
  ticketSubject: string | null;
  customerName: string | null;
  state: 'open' | 'contacted' | 'solution_proposed' | 'revisited' | 'closed';
  outcome: 'recovered' | 'not_recovered' | null;
  supervisorName: string | null;
  score: Record<string, number>;
  reasons: string[];
  steps: { step: string; at: string; byName: string | null; note: string | null; outcome?: string }[];
  openedAt: string;
  closedAt: string | null;
  standards: Clock[];
  overdue: boolean;
}
export const COMPLAINT_STEPS = ['listen', 'empathise', 'confirm', 'resolve', 'revisit', 'feedback'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];
export interface ComplaintLoop {
  id: string | null;
  ticketId: string;
  ticketNumber: string;
  ticketSubject: string;
  ticketStatus: string;
  category: string | null;
  responsibility: string | null;
  severity: 'minor' | 'normal' | 'serious';
  rootCause: string | null;
  escalatedAt: string | null;
  improvementActionId: string | null;
  steps: {
    step: ComplaintStep;
    done: boolean;
    evidence: string | null;
    data: Record<string, unknown> | null;
    recordedAt: string | null;
    recordedByName: string | null;
  }[];
  nextStep: ComplaintStep | null;
  missingForResolve: ComplaintStep[];
  missingForClose: ComplaintStep[];
  standards: Clock[];
  createdAt: string;
  customerName?: string | null;
  ownerName?: string | null;
  priority?: string;
  overdue?: boolean;
}
export interface CareTask {
  id: string;
  kind: 'care' | 'reactivation';
  ticketId: string | null;
  ticketNumber: string | null;
  ticketSubject: string | null;
  customerId: string;
  customerName: string | null;
  ownerName: string | null;
  seq: number;
  dueAt: string;
  state: 'pending' | 'done' | 'cancelled';
  result: string | null;
  outcome: string | null;
  doneAt: string | null;
  overdue: boolean;
  /** task: a person contacts the customer; message: sent automatically by the customer's channel. */
  mode: 'task' | 'message';
  /** The automatic send: queued (channel, time, delivery state) or fallback (why: a task for a person now). */
  auto: { state: string; channel: string | null; sentAt: string | null; reason: string | null; delivery: string | null } | null;
}

export const LOOP_KEYS = {
  recovery: (state: string) => ['recovery-cases', state] as const,
  complaints: ['complaints'] as const,
  complaint: (ticketId: string) => ['complaint', ticketId] as const,
  care: (from: string, to: string) => ['care-tasks', from, to] as const,
};

export const useRecoveryCases = (state: 'open' | 'closed' | 'all') =>
  useQuery({
    queryKey: LOOP_KEYS.recovery(state),
    queryFn: () => http.get('/recovery-cases', { query: { state } }) as Promise<{ items: RecoveryCase[] }>,
    refetchInterval: 30_000,
  });
export const useComplaints = () =>
  useQuery({ queryKey: LOOP_KEYS.complaints, queryFn: () => http.get('/complaints') as Promise<{ items: ComplaintLoop[] }>, refetchInterval: 30_000 });
export const useComplaint = (ticketId: string, enabled = true) =>
  useQuery({
    queryKey: LOOP_KEYS.complaint(ticketId),
    queryFn: () => http.get('/tickets/{id}/complaint', { path: { id: ticketId } }) as Promise<ComplaintLoop>,
    enabled,
  });
export const useCareTasks = (from: string, to: string) =>
  useQuery({
    queryKey: LOOP_KEYS.care(from, to),
    queryFn: () => http.get('/care-tasks', { query: { from, to, state: 'all' } }) as Promise<{ items: CareTask[] }>,
  });
