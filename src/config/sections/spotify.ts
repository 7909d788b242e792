import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * Spotify Web API credentials (an app from developer.spotify.com and a user's refresh token). When refreshToken is
 * unset, the one `opsctl spotify login` stored in $OPSCTL_HOME is used (src/config/load.ts).
 */
export const spotifySchema = z
  .strictObject({
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
    /** Base URLs of the Web API and the accounts service (a proxy, or a local fake in tests). */
    apiBaseUrl: httpUrl.optional(),
    accountsBaseUrl: httpUrl.optional(),
    /** Loopback port of `opsctl spotify login`'s redirect (http://127.0.0.1:PORT/callback, registered in the app). */
    redirectPort: z.number().int().min(1).max(65535).default(8888),
  })
  .prefault({});
