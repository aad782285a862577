/**
 * The one offline queue of the technician's phone, its React binding and automatic sending (online event, every
 * 10 s). Sent items refresh the day view and the visit's work.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { readCookie, requestLanguage } from '../../api/client';
import { WORK_KEYS, type DayVisit } from './api';
import { applyQueued, autoSync, fetchTransport, indexedDbStore, memoryStore, OfflineQueue, type QueueItem, type QueueSnapshot } from './offlineQueue';

let queue: OfflineQueue | null = null;
let client: QueryClient | null = null;

function theQueue(): OfflineQueue {
  if (!queue) {
    let store;
    try {
      store = typeof indexedDB === 'undefined' ? memoryStore() : indexedDbStore();
    } catch {
      store = memoryStore();
    }
    queue = new OfflineQueue(store, fetchTransport({ language: requestLanguage, csrf: () => readCookie('chidu_csrf') }), {
      onSent: (item) => {
        keepSentInDay(item);
        void client?.invalidateQueries({ queryKey: ['field-day'] });
        void client?.invalidateQueries({ queryKey: WORK_KEYS.work(item.visitId) });
        void client?.invalidateQueries({ queryKey: WORK_KEYS.visitParts(item.visitId) });
        if (item.kind === 'part' || item.kind === 'part_remove') void client?.invalidateQueries({ queryKey: ['field-parts'] });
      },
    });
  }
  return queue;
}

/**
 * A sent item leaves the queue, and with it the optimistic state it gave the visit. Until the day view is read again
 * the cached day would show the visit as it was before the tap (a ticked step unticks for a moment, and a second tap
 * in that moment is lost): so the sent item is applied to the cached day first, then the day is read again.
 */
function keepSentInDay(item: QueueItem) {
  client?.setQueriesData<{ items: DayVisit[] }>({ queryKey: ['field-day'] }, (old) =>
    old?.items ? { ...old, items: old.items.map((v) => (v.id === item.visitId ? applyQueued(v, [item]) : v)) } : old,
  );
}

/** The queue's state (re-renders on every change) and the queue itself. */
export function useFieldQueue(): { snap: QueueSnapshot; queue: OfflineQueue } {
  const q = theQueue();
  const snap = useSyncExternalStore(q.subscribe, q.snapshot);
  return { snap, queue: q };
}

/** Load what the last page left, then send whenever the network may be back (on the today page). */
export function useAutoSync(qc: QueryClient, date: string) {
  useEffect(() => {
    client = qc;
    const q = theQueue();
    void q.load();
    const stop = autoSync(q, {
      addEventListener: window.addEventListener.bind(window),
      removeEventListener: window.removeEventListener.bind(window),
      onLine: () => navigator.onLine,
    });
    return stop;
  }, [qc, date]);
}

/** Take an action: queued (stored) first, then sent at once when online. */
export async function takeAction(q: OfflineQueue, action: Parameters<OfflineQueue['enqueue']>[0]) {
  const item = await q.enqueue(action);
  if (typeof navigator === 'undefined' || navigator.onLine) void q.drain();
  return item;
}

/**
 * The field app's service worker (packages/web/pwa.ts): registered from the today page in production builds only,
 * scope /field/, so the field pages keep working (app shell, lazy chunks, the last day view) when the network drops.
 */
export function useFieldServiceWorker(qc: QueryClient) {
  useEffect(() => {
    if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    // When the worker takes the page, read the day again through it, so it keeps the answer for an offline reload.
    const taken = () => void qc.refetchQueries({ queryKey: ['field-day'] });
    navigator.serviceWorker.addEventListener('controllerchange', taken);
    navigator.serviceWorker.register('/sw.js', { scope: '/field/' }).catch(() => {
      // No worker (e.g. not a secure context): the page works online and the queue still keeps actions.
    });
    return () => navigator.serviceWorker.removeEventListener('controllerchange', taken);
  }, [qc]);
}
