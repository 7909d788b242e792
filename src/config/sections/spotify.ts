import { z } from 'zod';

/** Spotify Web API credentials (an app from developer.spotify.com and a user's refresh token). */
export const spotifySchema = z
  .strictObject({
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
  })
  .prefault({});
