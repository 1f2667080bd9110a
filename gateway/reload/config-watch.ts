// --watch: calls `onChange` when the config file changes, once per burst of changes (editors write a file in
// several steps, or replace it by renaming a new one over it: the directory is watched, not the file's inode).
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export const WATCH_DEBOUNCE_MS = 300;

export function watchConfigFile(path: string, onChange: () => void, debounceMs = WATCH_DEBOUNCE_MS): () => void {
  const file = resolve(path);
  const name = basename(file);
  let timer: NodeJS.Timeout | null = null;
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  });
  watcher.unref();
  return () => {
    if (timer !== null) clearTimeout(timer);
    watcher.close();
  };
}
