/** `npm run codec-server`: decrypts history for the Temporal Web UI and CLI. */
import { createCodecServer } from './codec-server';
import { EncryptionCodec } from './encryption-codec';
import { EncryptionKeyConfigError, loadCodecKeys } from './keys';

async function main(): Promise<void> {
  const keys = loadCodecKeys();
  const token = process.env.CODEC_SERVER_TOKEN;
  const problems = [
    !keys && 'JOURNEY_ENCRYPTION_KEYS or JOURNEY_ENCRYPTION_KEY_FILE: missing (the codec server needs the keys)',
    !token && 'CODEC_SERVER_TOKEN: missing (every request must carry it)',
  ].filter(Boolean);
  if (problems.length > 0 || !keys || !token) {
    for (const problem of problems) console.error(`config: ${problem}`);
    process.exit(2);
  }
  const port = Number(process.env.CODEC_SERVER_PORT ?? 8888);
  const host = process.env.CODEC_SERVER_HOST ?? '127.0.0.1';
  const allowedOrigins = (process.env.CODEC_SERVER_ALLOWED_ORIGINS ?? 'http://localhost:8233,http://127.0.0.1:8233').split(',');
  const server = createCodecServer({ codec: new EncryptionCodec(keys), token, allowedOrigins });
  server.listen(port, host, () => console.log(`codec server on http://${host}:${port} (origins: ${allowedOrigins.join(', ')})`));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close());
}

main().catch((err) => {
  console.error(err instanceof EncryptionKeyConfigError ? `config: ${err.message}` : err);
  process.exit(err instanceof EncryptionKeyConfigError ? 2 : 1);
});
