import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a run leaves its logs, measurements and (unless UPDATE_SCREENSHOTS) screenshots. */
export const artifacts = join(dirname(fileURLToPath(import.meta.url)), '.artifacts');
