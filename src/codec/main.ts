/** `npm run codec-server`: decrypts history for the Temporal Web UI and CLI. Exit 2 on a configuration error. */
import { codecServerSettingsFromEnv, ConfigError, configErrorReport, type CodecServerSettings } from '../config';
import { createCodecServer } from './codec-server';
import { EncryptionCodec } from './encryption-codec';

async function main(): Promise<void> {
  let settings: CodecServerSettings;
  try {
    settings = codecServerSettingsFromEnv();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`journey-await codec server: ${configErrorReport(err)}\n`);
    process.exit(2);
  }
  const { keys, access, host, port, allowedOrigins } = settings;
  const app = createCodecServer({ codec: new EncryptionCodec(keys), access, allowedOrigins });
  const address = await app.listen({ host, port });
  process.stdout.write(`codec server on ${address} (access: ${access.mode}; origins: ${allowedOrigins.join(', ')})\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
}

main().catch((err) => {
  process.stderr.write(
    `journey-await codec server: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`,
  );
  process.exit(1);
});
