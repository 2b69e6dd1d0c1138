/** Builds the event bus and the sinks the configuration enables. */
import { join } from 'node:path';
import type { Config } from '../core/config/settings.ts';
import { EventBus } from '../core/events/bus.ts';
import type { Logger } from '../core/log.ts';
import type { DataPaths } from '../core/storage/dataDir.ts';
import { isAlertKind } from '../sinks/alerts/rules.ts';
import { JsonlSink } from '../sinks/jsonl.ts';
import { RedisSink } from '../sinks/redis.ts';
import { SqliteSink } from '../sinks/sqlite.ts';
import { StdoutSink } from '../sinks/stdout.ts';
import { loadOrCreateWebhookSecret, WebhookSink } from '../sinks/webhook.ts';

export async function createBus(config: Config, paths: DataPaths, log: Logger): Promise<EventBus> {
  const bus = new EventBus({ sensor: config.sensorName, log, queueLimit: config.sinkQueueLimit, flushDelayMs: config.eventsFlushMs });
  if (config.eventsSqlite) await bus.addSink(new SqliteSink(paths.db));
  if (config.eventsJsonl) await bus.addSink(new JsonlSink(join(paths.logs, 'events.jsonl'), config.jsonlMaxBytes, config.jsonlKeep));
  if (config.redisUrl) await bus.addSink(new RedisSink({ url: config.redisUrl, key: config.redisKey, spoolDir: paths.spool, log }));
  if (config.webhookUrl) await bus.addSink(webhookSink(config, config.webhookUrl, paths, log));
  if (config.eventsStdout) await bus.addSink(new StdoutSink());
  return bus;
}

function webhookSink(config: Config, url: string, paths: DataPaths, log: Logger): WebhookSink {
  let secret = config.webhookSecret;
  if (!secret) {
    const file = join(paths.root, 'webhook.secret');
    const generated = loadOrCreateWebhookSecret(file);
    // Printed once, like the console token: the receiver needs this key to verify signatures.
    if (generated.created) process.stderr.write(`\nDICOMHawk generated the webhook signing key in ${file} (mode 0600); give it to the receiver.\n\n`);
    secret = generated.secret;
  }
  return new WebhookSink({
    url,
    secret,
    format: config.webhookFormat,
    alerts: config.webhookEvents.filter(isAlertKind),
    rateLimits: config.webhookRateLimit,
    dedupWindowMs: config.webhookDedupWindowMs,
    timeoutMs: config.webhookTimeoutMs,
    fingerprintFile: join(paths.root, 'alerts', 'fingerprints.txt'),
    log,
  });
}
