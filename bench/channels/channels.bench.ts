/**
 * Email channel benchmark (issue #14) on PostgreSQL, in process: (1) inbound mails/s through `ingestEmail` — the one
 * path of the SMTP listener and the IMAP poller/IDLE watcher (parse, record once, new customer, new ticket with its
 * events and audit) — each mail from a new sender; (2) outbox delivery throughput: queued replies drained by
 * `drainOutbox` (claim with SKIP LOCKED, one SMTP connection per channel) into a local smtp-server.
 *   npm run bench -- channels      (BENCH_MAILS=300 BENCH_CONCURRENCY=8 BENCH_OUTBOX=300)
 */
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../../packages/server/src/db/client';
import { uuidv7 } from '../../packages/server/src/lib/ids';
import { configureOutbound, parseAllowList } from '../../packages/server/src/lib/outbound';
import { ingestEmail } from '../../packages/server/src/modules/channels/channels.ingest';
import { closeTransports, drainOutbox } from '../../packages/server/src/modules/channels/channels.outbox';
import { channelsRepo } from '../../packages/server/src/modules/channels/channels.repo';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { freePort } from '../../packages/server/test/mail-harness';

const MAILS = Number(process.env.BENCH_MAILS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const OUTBOX = Number(process.env.BENCH_OUTBOX ?? 300);

const mail = (i: number) =>
  Buffer.from(
    [
      `From: =?UTF-8?B?${Buffer.from(`业主${i}`).toString('base64')}?= <owner${i}@bench.example>`,
      'To: kefu@bench.test',
      `Subject: =?UTF-8?B?${Buffer.from(`报修 ${i}：楼道灯不亮`).toString('base64')}?=`,
      `Message-ID: <bench-${i}-${Date.now()}@bench.example>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`您好，${i} 号楼道灯不亮，请尽快处理。\n\n-- \n业主${i}`).toString('base64'),
      '',
    ].join('\r\n'),
  );

async function main() {
  configureOutbound({ allow: parseAllowList('127.0.0.1') }); // the local SMTP server
  const received: number[] = [];
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => {
        received.push(1);
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => sink.listen(port, '127.0.0.1', () => r()));
  const { url, drop } = await freshDatabaseUrl();
  const database = await openDatabase({ databaseUrl: url });
  try {
    const id = uuidv7();
    await channelsRepo.insertChannel(database.db, {
      id,
      kind: 'email',
      name: '压测邮箱',
      address: 'kefu@bench.test',
      config: { address: 'kefu@bench.test', smtp: { host: '127.0.0.1', port, secure: false }, ratePerMinute: 10_000 },
      unknownSender: 'customer',
    });
    const channel = (await channelsRepo.channel(database.db, id))!;

    // 1. Inbound.
    await ingestEmail(database, channel, mail(-1), 'smtp'); // warm-up
    let next = 0;
    const outcomes = new Map<string, number>();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MAILS) {
          const r = await ingestEmail(database, channel, mail(next++), 'smtp');
          outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
        }
      }),
    );
    const inSec = (performance.now() - t0) / 1000;
    console.log(
      `inbound: ${MAILS} mails → ${JSON.stringify(Object.fromEntries(outcomes))} in ${inSec.toFixed(2)} s = ${(MAILS / inSec).toFixed(1)} mails/s (concurrency ${CONCURRENCY}, PostgreSQL)`,
    );

    // 2. Outbox drain.
    for (let i = 0; i < OUTBOX; i++) {
      await channelsRepo.enqueue(database.db, {
        id: uuidv7(),
        channelId: id,
        kind: 'reply',
        recipient: `owner${i}@bench.example`,
        payload: {
          subject: `Re: 报修 ${i} [#B${i}]`,
          body: '您好，维修师傅今天下午上门。',
          messageId: `<out-${i}-${Date.now()}@bench.test>`,
          inReplyTo: null,
          references: [],
          from: 'kefu@bench.test',
          fromName: '压测邮箱',
        },
      });
    }
    const t1 = performance.now();
    let sent = 0;
    for (;;) {
      const n = await drainOutbox(database, new Date(), 50);
      if (!n) break;
      sent += n;
    }
    const outSec = (performance.now() - t1) / 1000;
    console.log(
      `outbox: ${sent} deliveries drained, ${received.length} received by the local SMTP server in ${outSec.toFixed(2)} s = ${(sent / outSec).toFixed(1)} mails/s (one worker, one SMTP connection)`,
    );
  } finally {
    closeTransports();
    await database.close();
    await drop();
    await new Promise<void>((r) => sink.close(() => r()));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
