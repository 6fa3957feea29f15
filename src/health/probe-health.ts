/** Asks a /healthz endpoint; any failure to answer counts as unhealthy, with the reason. */
export async function probeHealth(url: string, timeoutMs: number): Promise<{ healthy: boolean; text: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = (await response.text()).trim();
    return { healthy: response.status === 200, text: text || `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { healthy: false, text: `unhealthy: no answer from ${url} (${cause ?? (error as Error).message})` };
  }
}
