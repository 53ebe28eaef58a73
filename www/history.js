// The run history's store: every run (finished, stopped or failed) with its
// config, data set, seed, curves, log, results and model file, in IndexedDB
// so a reload keeps it. Bounded: at most MAX_RUNS runs and MAX_BYTES of model
// files; past that, or when the browser refuses more, `add` throws an Error
// that says what to do, and nothing already kept is touched.

const DB = 'aelab';
const STORE = 'runs';
export const MAX_RUNS = 100;
export const MAX_BYTES = 100 * 1024 * 1024;

/** @returns {Promise<IDBDatabase>} */
function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * One request in its own transaction; resolves, once it commits, to
 * `result()` (by default the request's own result).
 * @param {IDBTransactionMode} mode
 * @param {(s: IDBObjectStore) => IDBRequest} make
 * @param {(req: IDBRequest) => any} [result]
 * @returns {Promise<any>}
 */
async function request(mode, make, result = (req) => req.result) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = make(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result(req));
    tx.onerror = () => reject(tx.error ?? req.error);
    tx.onabort = () => reject(tx.error ?? new Error('the browser aborted the write'));
  });
}

export class History {
  /**
   * Every run, oldest first, read by a cursor: one record a task. `getAll`
   * handed over every run, models included, in one task, 40 ms with a
   * Run all's ten runs on a host half as fast (issue 16), and more as the
   * history grows.
   * @returns {Promise<any[]>}
   */
  all() {
    const runs = /** @type {any[]} */ ([]);
    return request(
      'readonly',
      (s) => {
        const req = s.openCursor();
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return;
          runs.push(cursor.value);
          cursor.continue();
        };
        return req;
      },
      () => runs,
    );
  }

  /** Adds a run; resolves to its id. Refuses past the bound or when storage is full. */
  async add(/** @type {any} */ run) {
    const runs = await this.all();
    const bytes = runs.reduce((n, r) => n + (r.model?.byteLength ?? 0), 0);
    if (runs.length >= MAX_RUNS || bytes + (run.model?.byteLength ?? 0) > MAX_BYTES)
      throw new Error(
        `the history is full (${runs.length} runs, ${(bytes / 1e6).toFixed(1)} MB of models; the bound is ${MAX_RUNS} runs or ${MAX_BYTES / 1024 / 1024} MB): delete runs to keep new ones`,
      );
    try {
      return await request('readwrite', (s) => s.add(run));
    } catch (e) {
      const err = /** @type {Error} */ (e);
      throw new Error(
        err?.name === 'QuotaExceededError'
          ? 'the browser refuses to store more (its storage quota is full): delete runs to keep new ones'
          : `the run could not be kept: ${err?.message}`,
      );
    }
  }

  get(/** @type {number} */ id) {
    return request('readonly', (s) => s.get(id));
  }

  async rename(/** @type {number} */ id, /** @type {string} */ name) {
    const run = await this.get(id);
    if (run) await request('readwrite', (s) => s.put({ ...run, name }));
  }

  remove(/** @type {number} */ id) {
    return request('readwrite', (s) => s.delete(id));
  }
}
