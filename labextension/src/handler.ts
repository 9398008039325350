/**
 * Transport: JSON requests to hamilton_nb's server extension (routes under /hamilton-nb/).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * A reply with an error status; `message` is the server's explanation, `body` its whole reply.
 */
export class APIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: { [key: string]: unknown } = {}
  ) {
    super(message);
  }
}

/**
 * Call `endPoint` under /hamilton-nb/ and return its JSON reply.
 *
 * @throws APIError when the server answers with an error status.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, 'hamilton-nb', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: any = text;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    // not JSON (a proxy's error page, say): keep the text as the message
  }
  if (!response.ok) {
    const message = data?.message || text || response.statusText;
    throw new APIError(
      response.status,
      String(message),
      typeof data === 'object' && data !== null ? data : {}
    );
  }
  return data as T;
}
