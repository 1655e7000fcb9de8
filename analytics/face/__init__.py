"""Face detection, embeddings and the watch-list store behind the face_watch skills."""
