// The version of kafkasim that writes results and repro files; a repro replays only on the same minor.
export const KAFKASIM_VERSION = '0.3.0';
