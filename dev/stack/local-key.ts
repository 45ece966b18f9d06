/** `npm start`'s local development encryption key, kept in the stack's git-ignored data folder. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newKeyEntry } from '../../src/codec/keys';

/** Creates (once) and returns a local key file for the embedded stack; kept in a git-ignored folder. */
export function ensureLocalKeyFile(dir: string): string {
  const file = path.join(dir, 'encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      `# Local development key for journey-await (newest first). Never use it in production.\n${newKeyEntry('local-dev-1')}\n`,
      {
        mode: 0o600,
      },
    );
  }
  return file;
}
