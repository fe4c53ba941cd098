/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_NANOBANANA_API_URL?: string;
}
