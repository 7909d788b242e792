// Types for the two request builders of spotify-web-api-node 5 that opsctl uses (the package ships no types). The
// builders carry scheme, host, port, path, query, body and headers; `execute(method)` hands the built request to an
// HTTP method of our own (src/spotify/http.ts), which is how opsctl gives the client a configurable base URL, an
// AbortSignal and its own retry policy (the package's HttpManager hard-codes api.spotify.com and superagent).
declare module 'spotify-web-api-node/src/base-request.js' {
  export type Params = Record<string, string | number | boolean | undefined>;
  export interface BuiltRequest {
    getHost(): string;
    getPort(): number;
    getScheme(): string;
    getPath(): string;
    getURI(): string;
    getQueryParameters(): Params | undefined;
    getBodyParameters(): Params | undefined;
    getHeaders(): Record<string, string> | undefined;
    execute<T>(method: (request: BuiltRequest, callback: (error: unknown, result?: T) => void) => void): Promise<T>;
  }
  export interface RequestBuilder {
    withHost(host: string): RequestBuilder;
    withPort(port: number): RequestBuilder;
    withScheme(scheme: string): RequestBuilder;
    withPath(path: string): RequestBuilder;
    withQueryParameters(params: Params): RequestBuilder;
    withBodyParameters(params: Params): RequestBuilder;
    withHeaders(headers: Record<string, string>): RequestBuilder;
    withAuth(accessToken: string): RequestBuilder;
    build(): BuiltRequest;
  }
}
declare module 'spotify-web-api-node/src/webapi-request.js' {
  import type { RequestBuilder } from 'spotify-web-api-node/src/base-request.js';
  export function builder(accessToken?: string): RequestBuilder;
}
declare module 'spotify-web-api-node/src/authentication-request.js' {
  import type { RequestBuilder } from 'spotify-web-api-node/src/base-request.js';
  export function builder(): RequestBuilder;
}
