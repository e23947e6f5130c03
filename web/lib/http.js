// JSON over fetch, with the API's error shape turned into one exception type. The server always
// answers errors as {"error": code, "message": text}; `message` is written for people, so the UI
// shows it as is.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {object} opts
 * @param {() => string|null} opts.getToken  bearer token for each request (read late so a new
 *   sign-in is picked up without rebuilding the client)
 * @param {(err: ApiError) => void} [opts.onUnauthorized]  called on any 401
 */
export function createHttp({ getToken, onUnauthorized } = {}) {
  async function request(method, path, body) {
    const headers = { accept: 'application/json' };
    const token = getToken && getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const err = new ApiError(
        res.status,
        (data && data.error) || `http_${res.status}`,
        (data && data.message) || `The server answered ${res.status} ${res.statusText}.`,
      );
      if (res.status === 401 && onUnauthorized) onUnauthorized(err);
      throw err;
    }
    return data;
  }
  return {
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
    request,
  };
}

/** Query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** True for "this route does not exist (yet)": features from other engineers degrade on it. */
export function isMissingRoute(err) {
  return err instanceof ApiError && (err.status === 404 && (err.code === 'no_route' || err.code === 'http_404' || err.code === 'not_found') || err.status === 405 || err.status === 501);
}
