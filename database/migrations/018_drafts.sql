-- Drafts (issue 23 item 4): the interim images a Gemini 3 image model draws while it thinks, kept
-- as the worker streams the call ([{blobName, mimeType, bytes}], in the order they came, every attempt's).
-- Written with a 'draft' event in one statement (GenerationTransitions.AddDraft), fenced on the claim;
-- a retry by the owner (a new run) starts without drafts. Their blobs sit under the generation's prefix
-- like its other images, so delete, cleanup and the orphan sweep treat them alike.
ALTER TABLE generations ADD COLUMN IF NOT EXISTS draft_images jsonb NOT NULL DEFAULT '[]'::jsonb;
