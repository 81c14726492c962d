// The bounded "most recent N" tables of the SDK (bans, refusals, recently connected peers): an entry
// set again moves to the newest end, and past `max` entries the oldest is forgotten. A Map keeps
// insertion order, so delete + set is the move and the first key is the oldest.

/** Set `key` to `value` as the newest entry of `map`; forget the oldest beyond `max` entries. */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** Add `key` as the newest entry of `set`; forget the oldest beyond `max` entries. */
export function addRecent<K>(set: Set<K>, key: K, max: number): void {
  set.delete(key);
  set.add(key);
  if (set.size > max) set.delete(set.values().next().value!);
}
