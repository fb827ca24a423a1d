/**
 * Memoizes an import a plugin needs only when it is used (`loadOnce(() => import('net-snmp'))`), so an
 * executable whose configuration never uses that plugin never loads, nor keeps in memory, the library.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null; // a failed load (e.g. a missing package) is tried again next time
      throw error;
    });
    return loading;
  };
}
