/**
 * Child process for the crash test: writes events through the bus into SQLite as fast as it can and prints
 * `acked N` each time every event below N is acknowledged (flushed, i.e. committed).
 */
import { EventBus } from '../../src/core/events/bus.ts';
import { silentLogger } from '../../src/core/log.ts';
import { SqliteSink } from '../../src/sinks/sqlite.ts';

const bus = new EventBus({ sensor: 'crash', log: silentLogger(), batchSize: 500 });
await bus.addSink(new SqliteSink(process.argv[2]!));
const log = bus.forSession({ session: 'crash-session', protocol: 'dimse', src_ip: '203.0.113.1', src_port: 1, dst_ip: '127.0.0.1', dst_port: 2 });
let n = 0;
for (;;) {
  for (let i = 0; i < 700; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: n++, status: 0 });
  await bus.flush();
  process.stdout.write(`acked ${n}\n`);
}
