"""Reports have no data of their own: they read the apps below. (Export files are added here.)"""
