import type { GenerationError } from '@nanobanana/client';

/** What the page says for each failure code; the server's own message for the rest. */
const messages: Record<string, string> = {
  PROMPT_BLOCKED: 'Gemini would not take this prompt. Try saying it differently.',
  SAFETY: 'Gemini’s safety filters stopped this one. Try a different prompt.',
  IMAGE_SAFETY: 'The image was blocked by Gemini’s safety filters. Try a different prompt.',
  PROHIBITED_CONTENT: 'Gemini does not make this kind of content.',
  IMAGE_PROHIBITED_CONTENT: 'Gemini does not make this kind of image.',
  NO_IMAGE: 'Gemini did not draw anything this time. Try again.',
  TEXT_ONLY: 'Gemini answered in words instead of an image. Try rephrasing.',
  RATE_LIMITED: 'Gemini is busy right now. Try again in a minute.',
  QUOTA_EXHAUSTED: 'Today’s Gemini quota is used up. Try again tomorrow.',
  GEMINI_UNAVAILABLE: 'Gemini is unavailable right now. Try again in a moment.',
  GEMINI_TIMEOUT: 'Gemini took too long. Try again.',
  STUCK: 'This one was interrupted too often. Try again.',
  DELIVERY_FAILED: 'This one could not be started. Try again.',
  INVALID_API_KEY: 'The Gemini key was refused. Check it in your settings.',
  MODEL_NOT_FOUND: 'The image model is not available any more.',
};

export function failureMessage(error: GenerationError | null): string {
  if (!error) {
    return 'Something went wrong.';
  }

  return messages[error.code] ?? error.message;
}
